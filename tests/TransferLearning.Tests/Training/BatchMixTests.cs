using TransferLearning.Training;
using static TorchSharp.torch;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

public sealed class BatchMixTests
{
    private static (Tensor Images, Tensor Labels) Batch(int n = 8, int classes = 4)
    {
        var images = arange(n, dtype: ScalarType.Float32).reshape(n, 1, 1, 1).expand(n, 3, 16, 16).contiguous();
        var labels = arange(n, dtype: ScalarType.Int64).remainder(classes);
        return (images, labels);
    }

    [Theory]
    [InlineData("mixup")]
    [InlineData("cutmix")]
    public void Mixed_labels_sum_to_one_and_weight_the_two_classes_by_their_share(string kind)
    {
        BatchMix mix = kind == "mixup" ? new Mixup(alpha: 0.4) : new CutMix(alpha: 1.0);
        var (images, labels) = Batch();
        using var _i = images;
        using var _l = labels;
        for (int seed = 0; seed < 20; seed++)
        {
            using var mixed = mix.Apply(images, labels, classCount: 4, new Random(seed));
            var targets = mixed.Targets.data<float>().ToArray();
            for (int i = 0; i < 8; i++)
            {
                var row = targets.AsSpan(4 * i, 4).ToArray();
                Assert.Equal(1.0, row.Sum(v => (double)v), 5);
                // The original label carries the batch's label weight (plus the partner's share when both have one class).
                Assert.True(row[labels[i].item<long>()] >= mixed.LabelWeight - 1e-5);
            }
            Assert.InRange(mixed.LabelWeight, 0, 1);
            Assert.Equal(images.shape, mixed.Images.shape);
            if (kind == "mixup")
            {
                // Each image is λ·x + (1 − λ)·x′ with λ ≥ 0.5: a constant image stays constant, between its value and its partner's.
                Assert.InRange(mixed.LabelWeight, 0.5, 1);
            }
            else
            {
                // A pasted rectangle: each pixel is the image's own value or its partner's, and the kept share is the label weight.
                var own = images.flatten(1);
                var result = mixed.Images.flatten(1);
                var keptShare = result.eq(own).to(ScalarType.Float32).mean(new long[] { 1 }).data<float>().ToArray();
                var partnerIsSelf = keptShare.Any(s => s == 1f);
                foreach (var share in keptShare)
                    Assert.True(share == 1f || Math.Abs(share - mixed.LabelWeight) < 1e-5, $"kept share {share}, label weight {mixed.LabelWeight}");
                _ = partnerIsSelf;
            }
        }
        // The inputs are not modified.
        Assert.Equal(3f, images[3, 0, 5, 5].item<float>());
    }

    [Fact]
    public void An_unmixed_batch_has_one_hot_targets()
    {
        var (images, labels) = Batch();
        using var _i = images;
        using var _l = labels;
        using var mixed = new Mixup(alpha: 0.4, probability: 1e-9).Apply(images, labels, 4, new Random(1));
        Assert.Equal(1.0, mixed.LabelWeight);
        using var expected = nn.functional.one_hot(labels, 4).to(ScalarType.Float32);
        Assert.True(mixed.Targets.eq(expected).all().item<bool>());
    }

    [Fact]
    public void Beta_samples_have_the_distributions_mean_and_variance()
    {
        var random = new Random(5);
        foreach (var alpha in new[] { 0.4, 1.0, 2.0 })
        {
            var samples = Enumerable.Range(0, 20000).Select(_ => BatchMix.SampleBeta(random, alpha)).ToArray();
            double mean = samples.Average(), variance = samples.Select(s => (s - mean) * (s - mean)).Average();
            Assert.Equal(0.5, mean, 1);
            Assert.Equal(1 / (4 * (2 * alpha + 1)), variance, 2); // Var Beta(α, α) = 1 / (4(2α + 1))
            Assert.All(samples, s => Assert.InRange(s, 0, 1));
        }
    }

    [Fact]
    public void A_phase_with_mixup_trains_uncached_repeatably_and_learns()
    {
        var (train, valid) = Sources(trainPerClass: 8, validPerClass: 4, batchSize: 6);
        using var _t = train;
        using var _v = valid;
        double[] Run()
        {
            using var backbone = TinyBackbone();
            var options = TransferTrainerTests.FastOptions(headEpochs: 3, fineTuneEpochs: 0) with
            {
                HeadPhase = PhaseOptions.HeadDefaults with { Epochs = 3, LearningRate = 3e-2, BatchMix = new Mixup(alpha: 0.4) },
            };
            using var trainer = new TransferTrainer(backbone, Classes, options);
            var history = trainer.Fit(train, valid);
            Assert.All(history.Epochs, e => Assert.False(e.FromFeatureCache));
            return history.Epochs.Select(e => e.TrainLoss).ToArray();
        }

        var first = Run();
        Assert.Equal(first, Run());
        Assert.True(first[^1] < first[0], $"loss should fall: {string.Join(", ", first)}");
    }

    [Fact]
    public void Caching_on_with_a_batch_mix_is_refused()
    {
        var (train, _) = Sources(trainPerClass: 2, validPerClass: 1, batchSize: 6);
        using var _t = train;
        using var backbone = TinyBackbone();
        var options = TransferTrainerTests.FastOptions(headEpochs: 1, fineTuneEpochs: 0) with
        {
            FeatureCaching = FeatureCaching.On,
            HeadPhase = PhaseOptions.HeadDefaults with { Epochs = 1, BatchMix = new CutMix() },
        };
        using var trainer = new TransferTrainer(backbone, Classes, options);
        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(train));
        Assert.Contains("CutMix", error.Message);
    }
}
