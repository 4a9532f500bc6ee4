using TransferLearning.Backbones;
using TransferLearning.Tests.Training;
using TransferLearning.Training;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// EfficientNet-B0 and MobileNetV3-Small (random weights, torchvision's widths) train end to end through
/// <see cref="TransferTrainer"/> on the drawn three-class set (one tiny epoch per phase), and save and load again.
/// </summary>
public sealed class EfficientNetMobileNetV3TrainingTests
{
    public static TheoryData<string, string, string, string> Models => new()
    {
        // backbone, a fine-tuned weight (last group), a frozen weight (stem), a frozen batch-norm statistic
        { "efficientnet_b0", "features.8.0.weight", "features.0.0.weight", "features.1.0.block.0.1.running_mean" },
        { "mobilenet_v3_small", "features.12.0.weight", "features.0.0.weight", "features.4.block.0.1.running_mean" },
    };

    private static PretrainedBackbone Create(string name) => name == "efficientnet_b0"
        ? EfficientNet.Create(new EfficientNetOptions { Weights = TorchVisionWeights.None })
        : MobileNetV3.Create(new MobileNetV3Options { Variant = MobileNetV3Variant.Small, Weights = TorchVisionWeights.None });

    [Theory]
    [MemberData(nameof(Models))]
    public void Trains_one_head_and_one_fine_tune_epoch_and_saves_and_loads(string name, string tuned, string frozen, string frozenStatistic)
    {
        var (train, valid) = Sources(trainPerClass: 4, validPerClass: 2, batchSize: 6);
        using var _t = train;
        using var _v = valid;
        using var backbone = Create(name);
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
        Assert.True(MaxAbsDifference(before[tuned], after[tuned]) > 0, $"{tuned} was fine-tuned");
        Assert.Equal(before[frozen], after[frozen]);
        Assert.Equal(before[frozenStatistic], after[frozenStatistic]); // frozen groups' norm layers stay in inference mode

        var (images, labels) = Draw(1, seed: 5);
        using var _i = images;
        using var _l = labels;
        var predictions = trainer.Predict(images);
        Assert.Equal(3, predictions.Count);

        string path = Path.Combine(Path.GetTempPath(), $"tl-{name}-{Guid.NewGuid():N}.tlmodel");
        try
        {
            trainer.Save(path);
            using var loaded = TransferTrainer.Load(path, _ => Create(name));
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
