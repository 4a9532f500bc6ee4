using SkiaSharp;
using TransferLearning.Data;
using TransferLearning.Imaging;
using TransferLearning.Tests.Support;
using TransferLearning.Tests.Training;
using TransferLearning.Training;
using static TorchSharp.torch;
using static TransferLearning.Tests.Imaging.TestImageFiles;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Data;

/// <summary>The trainer's feature cache replays an ImageBatchLoader's exact shuffled order.</summary>
[Collection(TensorLifetimeCollection.Name)]
public sealed class ImageBatchLoaderFeatureCacheTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Hides the loader's <see cref="IEpochOrderProvider"/> (the control: the cache then shuffles on its own).</summary>
    private sealed class Opaque(IImageBatchSource inner) : IImageBatchSource
    {
        public IReadOnlyList<string> ClassNames => inner.ClassNames;
        public int SampleCount => inner.SampleCount;
        public int BatchesPerEpoch => inner.BatchesPerEpoch;
        public int BatchSize => inner.BatchSize;
        public bool IsShuffled => inner.IsShuffled;
        public bool IsAugmented => inner.IsAugmented;
        public IEnumerable<ImageBatch> ReadEpoch(int epoch, Device? device = null, CancellationToken cancellationToken = default) =>
            inner.ReadEpoch(epoch, device, cancellationToken);
    }

    [Fact]
    public void Cached_head_training_on_a_shuffling_loader_equals_uncached_training()
    {
        var random = new Random(4);
        for (int cls = 0; cls < Classes.Length; cls++)
            for (int i = 0; i < 10; i++)
            {
                using var bitmap = DrawOne(cls, random);
                WritePng(_dir.Combine(Classes[cls], $"{i:D2}.png"), bitmap);
            }
        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path);
        using var loader = ImageBatchLoader.ForTraining(dataset, new TrainingLoaderOptions
        {
            BatchSize = 8,
            WorkerCount = 2,
            ShuffleSeed = 9,
            Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(TrainingTestData.Size, TrainingTestData.Size) },
        });
        Assert.IsAssignableFrom<IEpochOrderProvider>(loader);

        (double[] Losses, bool Cached) Train(IImageBatchSource source, FeatureCaching caching)
        {
            using var backbone = TinyBackbone();
            var options = TransferTrainerTests.FastOptions(headEpochs: 3, fineTuneEpochs: 0) with { Dropout = 0.3, FeatureCaching = caching };
            using var trainer = new TransferTrainer(backbone, Classes, options);
            var history = trainer.Fit(source);
            return (history.Epochs.Select(e => e.TrainLoss).ToArray(), history.Epochs.All(e => e.FromFeatureCache));
        }

        var uncached = Train(loader, FeatureCaching.Off);
        var cached = Train(loader, FeatureCaching.On);
        var control = Train(new Opaque(loader), FeatureCaching.On);
        Assert.False(uncached.Cached);
        Assert.True(cached.Cached);
        Assert.True(control.Cached);
        for (int e = 0; e < 3; e++)
            Assert.Equal(uncached.Losses[e], cached.Losses[e], 4);
        // Without the announced order the cache reshuffles on its own: same data, different batches, different losses.
        Assert.True(Enumerable.Range(0, 3).Any(e => Math.Abs(uncached.Losses[e] - control.Losses[e]) > 1e-4),
            $"control losses {string.Join(", ", control.Losses)} equal the loader's {string.Join(", ", uncached.Losses)}");
    }
}
