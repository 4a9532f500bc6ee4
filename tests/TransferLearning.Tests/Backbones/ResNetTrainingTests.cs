using TransferLearning.Backbones;
using TransferLearning.Tests.Training;
using TransferLearning.Training;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Backbones;

/// <summary>A ResNet backbone trains end to end through <see cref="TransferTrainer"/> (the drawn three-class set, one tiny epoch per phase).</summary>
public sealed class ResNetTrainingTests
{
    [Fact]
    public void A_narrow_ResNet50_trains_one_head_and_one_fine_tune_epoch_and_fine_tuning_moves_its_last_layers()
    {
        var (train, valid) = Sources(trainPerClass: 4, validPerClass: 2, batchSize: 6);
        using var _t = train;
        using var _v = valid;
        using var backbone = ResNetTestModels.Backbone("resnet50_narrow");
        var options = TransferTrainerTests.FastOptions(headEpochs: 1, fineTuneEpochs: 1) with
        {
            FineTunePhase = PhaseOptions.KerasFineTune with { Epochs = 1, LearningRate = 1e-3, UnfreezeLastBlocks = 2 },
        };
        using var trainer = new TransferTrainer(backbone, Classes, options);
        var before = Weights(backbone);

        var history = trainer.Fit(train, valid);

        Assert.Equal(new[] { TrainingPhase.Head, TrainingPhase.FineTune }, history.Epochs.Select(e => e.Phase));
        Assert.All(history.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss), $"loss {e.TrainLoss}"));
        var after = Weights(backbone);
        Assert.True(MaxAbsDifference(before["features.layer4.0.conv2.weight"], after["features.layer4.0.conv2.weight"]) > 0, "layer4 was fine-tuned");
        Assert.True(MaxAbsDifference(before["features.layer3.1.conv1.weight"], after["features.layer3.1.conv1.weight"]) > 0, "layer3 was fine-tuned");
        Assert.Equal(before["features.layer1.0.conv1.weight"], after["features.layer1.0.conv1.weight"]);
        Assert.Equal(before["features.conv1.weight"], after["features.conv1.weight"]);
        Assert.Equal(before["features.layer4.0.bn1.running_mean"], after["features.layer4.0.bn1.running_mean"]); // norm layers stay in inference mode by default

        var (images, labels) = Draw(1, seed: 5);
        using var _i = images;
        using var _l = labels;
        var predictions = trainer.Predict(images);
        Assert.Equal(3, predictions.Count);

        // Save and load through a factory of the same architecture: the same logits.
        string path = Path.Combine(Path.GetTempPath(), $"tl-resnet-{Guid.NewGuid():N}.tlmodel");
        try
        {
            trainer.Save(path);
            using var loaded = TransferTrainer.Load(path, _ => ResNetTestModels.Backbone("resnet50_narrow"));
            var again = loaded.Predict(images);
            for (int i = 0; i < predictions.Count; i++)
                Assert.Equal(predictions[i].Logits.ToArray(), again[i].Logits.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
