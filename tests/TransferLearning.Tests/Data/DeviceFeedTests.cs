using SkiaSharp;
using TransferLearning.Data;
using TransferLearning.Imaging;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;
using static TransferLearning.Tests.Imaging.TestImageFiles;

namespace TransferLearning.Tests.Data;

/// <summary>
/// The device feed (pinned host batches copied one batch ahead of the consumer), driven on the CPU: the loader stages
/// through it as if the CPU were a GPU, with real copies, so order, look-ahead and lifetimes are checked here although
/// the pinned, non-blocking CUDA copy itself never ran on a GPU.
/// </summary>
[Collection(TensorLifetimeCollection.Name)]
public sealed class DeviceFeedTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private ImageBatchLoader Loader(int images = 10)
    {
        for (int i = 0; i < images; i++)
        {
            using var bitmap = PhotoLike(40, 30, seed: i);
            WritePng(_dir.Combine(i % 2 == 0 ? "a" : "b", $"{i:D2}.png"), bitmap);
        }
        return ImageBatchLoader.ForTraining(DirectoryImageDataset.FromDirectory(_dir.Path), new TrainingLoaderOptions
        {
            BatchSize = 3,
            WorkerCount = 2,
            ShuffleSeed = 5,
            Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(16, 16) },
        });
    }

    private static List<(float[] Images, long[] Labels, string[] Files)> Contents(IEnumerable<ImageBatch> batches)
    {
        var list = new List<(float[], long[], string[])>();
        foreach (var batch in batches)
            using (batch)
                list.Add((batch.Images.data<float>().ToArray(), batch.Labels.data<long>().ToArray(), batch.Files.ToArray()));
        return list;
    }

    [Fact]
    public void Staged_batches_equal_the_host_batches_in_order()
    {
        using var loader = Loader();
        var host = Contents(loader.ReadEpoch(0));
        loader.StagingDevice = CPU;
        var staged = Contents(loader.ReadEpoch(0));
        Assert.Equal(4, staged.Count); // 10 images in batches of 3
        Assert.Equal(host.Select(b => b.Files), staged.Select(b => b.Files));
        Assert.Equal(host.Select(b => b.Labels), staged.Select(b => b.Labels));
        Assert.Equal(host.Select(b => b.Images), staged.Select(b => b.Images));
    }

    [Fact]
    public void The_copy_of_the_next_batch_is_issued_before_a_batch_is_handed_over()
    {
        using var loader = Loader();
        loader.StagingDevice = CPU;
        int copies = 0;
        loader.Transfer = (batch, device) =>
        {
            Interlocked.Increment(ref copies);
            return DeviceFeed.CopyNonBlocking(batch, device);
        };
        var seen = new List<int>();
        foreach (var batch in loader.ReadEpoch(1))
            using (batch)
                seen.Add(Volatile.Read(ref copies));
        // Batch k arrives after the copies of batches 0..k+1 were queued; the last one has nothing left to look ahead to.
        Assert.Equal(new[] { 2, 3, 4, 4 }, seen);
    }

    [Fact]
    public void The_copies_are_new_tensors_and_nothing_stays_alive_when_the_consumer_stops_early()
    {
        using var loader = Loader();
        loader.StagingDevice = CPU;
        var handles = new List<IntPtr>();
        loader.Transfer = (batch, device) =>
        {
            var moved = DeviceFeed.CopyNonBlocking(batch, device);
            Assert.NotEqual(batch.Images.Handle, moved.Images.Handle);
            var original = batch.Images.data<float>().ToArray();
            moved.Images.fill_(-1); // a copy: writing it leaves the host batch as it was
            Assert.Equal(original, batch.Images.data<float>().ToArray());
            lock (handles) handles.Add(moved.Images.Handle);
            return moved;
        };
        Contents(loader.ReadEpoch(0)); // warm up: TorchSharp's first use creates tensors of its own
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = Tensor.TotalCount;
        foreach (var batch in loader.ReadEpoch(0))
        {
            batch.Dispose();
            break; // the next batch is already copied: the feed must free it
        }
        Assert.Equal(before, Tensor.TotalCount);
        Assert.NotEmpty(handles);
    }
}
