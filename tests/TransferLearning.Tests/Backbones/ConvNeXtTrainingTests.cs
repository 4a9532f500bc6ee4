using TransferLearning.Backbones;
using TransferLearning.Export;
using TransferLearning.Tests.Training;
using TransferLearning.Training;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Backbones;

/// <summary>A ConvNeXt backbone trains end to end through <see cref="TransferTrainer"/> (the drawn three-class set, one tiny epoch per phase).</summary>
public sealed class ConvNeXtTrainingTests
{
    [Fact]
    public void A_small_ConvNeXt_trains_one_head_and_one_fine_tune_epoch_saves_and_reloads_and_fine_tuning_moves_its_last_stage_only()
    {
        var (train, valid) = Sources(trainPerClass: 4, validPerClass: 2, batchSize: 6);
        using var _t = train;
        using var _v = valid;
        using var backbone = ConvNeXtTestModels.Backbone(stochasticDepth: 0.1);
        var options = TransferTrainerTests.FastOptions(headEpochs: 1, fineTuneEpochs: 1) with
        {
            FineTunePhase = PhaseOptions.KerasFineTune with { Epochs = 1, LearningRate = 1e-3, UnfreezeLastBlocks = 1 },
        };
        using var trainer = new TransferTrainer(backbone, Classes, options);
        var before = Weights(backbone);

        var history = trainer.Fit(train, valid);

        Assert.Equal(new[] { TrainingPhase.Head, TrainingPhase.FineTune }, history.Epochs.Select(e => e.Phase));
        Assert.All(history.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss), $"loss {e.TrainLoss}"));
        var after = Weights(backbone);
        Assert.True(MaxAbsDifference(before["features.5.0.block.3.weight"], after["features.5.0.block.3.weight"]) > 0, "stage3's blocks were fine-tuned");
        Assert.True(MaxAbsDifference(before["features.4.1.weight"], after["features.4.1.weight"]) > 0, "stage3's downsampling was fine-tuned");
        Assert.True(MaxAbsDifference(before["classifier.0.weight"], after["classifier.0.weight"]) > 0, "classifier.0 was fine-tuned");
        Assert.Equal(before["features.3.1.layer_scale"], after["features.3.1.layer_scale"]);
        Assert.Equal(before["features.0.0.weight"], after["features.0.0.weight"]);

        var (images, labels) = Draw(1, seed: 5);
        using var _i = images;
        using var _l = labels;
        var predictions = trainer.Predict(images);
        Assert.Equal(3, predictions.Count);

        // Save and load through a factory of the same configuration: the same logits.
        string path = Path.Combine(Path.GetTempPath(), $"tl-convnext-{Guid.NewGuid():N}.tlmodel");
        try
        {
            trainer.Save(path);
            using var loaded = TransferTrainer.Load(path, _ => ConvNeXtTestModels.Backbone(stochasticDepth: 0.1));
            var again = loaded.Predict(images);
            for (int i = 0; i < predictions.Count; i++)
                Assert.Equal(predictions[i].Logits.ToArray(), again[i].Logits.ToArray());
        }
        finally
        {
            File.Delete(path);
        }

        // The export, pooled layer norm included, gives the same logits in ONNX Runtime.
        string onnx = Path.Combine(Path.GetTempPath(), $"tl-convnext-{Guid.NewGuid():N}.onnx");
        try
        {
            trainer.ExportOnnx(onnx);
            TransferLearning.Tests.Export.OrtRunner.AssertMatches(TransferLearning.Tests.Export.OrtRunner.Run(onnx, images), predictions, predictions[0].Logits.Count);
        }
        finally
        {
            File.Delete(onnx);
        }
    }
}
