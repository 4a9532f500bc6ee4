using TransferLearning.Data;
using TransferLearning.Training;
using TransferLearning.Training.Callbacks;
using static TorchSharp.torch;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

public sealed class FeatureCacheFallbackTests
{
    /// <summary>A source that announces no epoch order, with drop-last, counting how often it is read.</summary>
    private sealed class OpaqueSource(TensorBatchSource inner, bool dropLast) : IImageBatchSource
    {
        public int Reads;

        public IReadOnlyList<string> ClassNames => inner.ClassNames;
        public int SampleCount => inner.SampleCount;
        public int BatchSize => inner.BatchSize;
        public int BatchesPerEpoch => dropLast ? SampleCount / BatchSize : inner.BatchesPerEpoch;
        public bool IsShuffled => false;
        public bool IsAugmented => false;

        public IEnumerable<ImageBatch> ReadEpoch(int epoch, Device? device = null, CancellationToken cancellationToken = default)
        {
            Reads++;
            return inner.ReadEpoch(epoch, device, cancellationToken).Take(BatchesPerEpoch);
        }
    }

    private sealed class BatchSizes : ITrainingCallback
    {
        public readonly List<List<int>> Epochs = new();

        public void OnEpochBegin(TrainingContext c) => Epochs.Add(new List<int>());
        public void OnBatchEnd(TrainingContext c) => Epochs[^1].Add(c.BatchSamples);
    }

    [Theory]
    [InlineData(false, new[] { 3, 3, 3, 1 })]
    [InlineData(true, new[] { 3, 3, 3 })]
    public void A_source_without_an_order_is_cached_in_one_pass_and_replayed_in_its_own_batch_size(bool dropLast, int[] expected)
    {
        var (images, labels) = Draw(4, seed: 2);
        using var _i = images;
        using var _l = labels;
        using var inner = new TensorBatchSource(images.narrow(0, 0, 10), labels.narrow(0, 0, 10), Classes, batchSize: 3);
        var source = new OpaqueSource(inner, dropLast);
        using var backbone = TinyBackbone();
        var sizes = new BatchSizes();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 3, fineTuneEpochs: 0) with
        {
            FeatureCaching = FeatureCaching.On,
            Callbacks = new[] { sizes },
        });

        var history = trainer.Fit(source);

        Assert.Equal(1, source.Reads);
        Assert.All(history.Epochs, e => Assert.True(e.FromFeatureCache));
        Assert.Equal(3, sizes.Epochs.Count);
        Assert.All(sizes.Epochs, epoch => Assert.Equal(expected, epoch));
    }

    [Fact]
    public void A_non_shuffling_drop_last_source_with_an_order_is_read_once()
    {
        var (images, labels) = Draw(4, seed: 2);
        using var _i = images;
        using var _l = labels;
        using var source = new TensorBatchSource(images.narrow(0, 0, 10), labels.narrow(0, 0, 10), Classes, batchSize: 3);
        var counting = new CountingOrderedSource(source);
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 4, fineTuneEpochs: 0) with { FeatureCaching = FeatureCaching.On });

        trainer.Fit(counting);

        Assert.Equal(1, counting.Reads);
    }

    /// <summary>A drop-last view of a source with an order: every epoch the same first nine samples.</summary>
    private sealed class CountingOrderedSource(TensorBatchSource inner) : IImageBatchSource, IEpochOrderProvider
    {
        public int Reads;

        public IReadOnlyList<string> ClassNames => inner.ClassNames;
        public int SampleCount => inner.SampleCount;
        public int BatchSize => inner.BatchSize;
        public int BatchesPerEpoch => SampleCount / BatchSize;
        public bool IsShuffled => false;
        public bool IsAugmented => false;
        public IReadOnlyList<int> GetEpochOrder(int epoch) => inner.GetEpochOrder(epoch).Take(BatchesPerEpoch * BatchSize).ToArray();
        public string SampleId(int index) => inner.SampleId(index);

        public IEnumerable<ImageBatch> ReadEpoch(int epoch, Device? device = null, CancellationToken cancellationToken = default)
        {
            Reads++;
            return inner.ReadEpoch(epoch, device, cancellationToken).Take(BatchesPerEpoch);
        }
    }
}
