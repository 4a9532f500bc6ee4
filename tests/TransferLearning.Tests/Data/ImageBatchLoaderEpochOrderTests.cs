using SkiaSharp;
using TransferLearning.Data;
using TransferLearning.Imaging;
using TransferLearning.Training;
using TransferLearning.Tests.Support;
using static TransferLearning.Tests.Imaging.TestImageFiles;

namespace TransferLearning.Tests.Data;

/// <summary>ImageBatchLoader as an <see cref="IEpochOrderProvider"/>: the announced order is the order delivered.</summary>
[Collection(TensorLifetimeCollection.Name)]
public sealed class ImageBatchLoaderEpochOrderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private DirectoryImageDataset Tree(int count)
    {
        for (int i = 0; i < count; i++)
            WriteSolidPng(_dir.Combine(i % 3 == 0 ? "a" : "b", $"{i:D2}.png"), 10, new SKColor((byte)(20 * i), 40, 60));
        return DirectoryImageDataset.FromDirectory(_dir.Path);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Announced_order_matches_the_batches_of_every_epoch(bool shuffle, bool dropLast)
    {
        var dataset = Tree(11);
        using var loader = ImageBatchLoader.ForTraining(dataset, new TrainingLoaderOptions
        {
            BatchSize = 3,
            WorkerCount = 2,
            Shuffle = shuffle,
            DropLast = dropLast,
            ShuffleSeed = 5,
            Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(6, 6) },
        });
        IEpochOrderProvider provider = loader;
        Assert.Equal(3, ((IImageBatchSource)loader).BatchSize);
        var epochs = new List<int[]>();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var order = provider.GetEpochOrder(epoch);
            var delivered = new List<string>();
            foreach (var batch in loader.ReadEpoch(epoch))
                using (batch)
                    delivered.AddRange(batch.Files);
            Assert.Equal(delivered, order.Select(provider.SampleId));
            Assert.Equal(dropLast ? 9 : 11, order.Count);
            Assert.Equal(order.Count, order.Distinct().Count());
            Assert.All(order, i => Assert.InRange(i, 0, 10));
            epochs.Add(order.ToArray());
        }
        if (shuffle)
            Assert.NotEqual(epochs[0], epochs[1]);
        else
            Assert.Equal(Enumerable.Range(0, 11), epochs[0]);
        Assert.Equal(dataset.Samples[4].Path, provider.SampleId(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => provider.SampleId(11));
        Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetEpochOrder(-1));
    }
}
