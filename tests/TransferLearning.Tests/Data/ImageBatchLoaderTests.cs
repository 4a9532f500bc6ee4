using SkiaSharp;
using TorchSharp;
using TransferLearning.Augmentation;
using TransferLearning.Data;
using TransferLearning.Imaging;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;
using static TransferLearning.Tests.Imaging.TestImageFiles;

namespace TransferLearning.Tests.Data;

/// <summary>Adds a random brightness offset per image, drawn from the given Random: enough to test seeding.</summary>
internal sealed class RandomOffset : IAugmentation
{
    private int _calls;

    public int Calls => _calls;

    public Func<int>? OnApply { get; set; }

    public bool IsRandom => true;

    public Tensor Apply(Tensor batch, Random random)
    {
        Interlocked.Increment(ref _calls);
        OnApply?.Invoke();
        var offsets = Enumerable.Range(0, (int)batch.shape[0]).Select(_ => (float)random.Next(0, 50)).ToArray();
        using var scope = NewDisposeScope();
        return (batch + tensor(offsets).view(-1, 1, 1, 1)).MoveToOuterDisposeScope();
    }
}

[Collection(TensorLifetimeCollection.Name)]
public sealed class ImageBatchLoaderTests : IDisposable
{
    private static readonly SKColor[] Colors = { new(200, 10, 10), new(10, 200, 10), new(10, 10, 200) };
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Three classes (a, b, c) of solid colours; class k holds <paramref name="perClass"/>[k] files.</summary>
    private DirectoryImageDataset Tree(params int[] perClass)
    {
        for (int k = 0; k < perClass.Length; k++)
            for (int i = 0; i < perClass[k]; i++)
                WriteSolidPng(_dir.Combine(((char)('a' + k)).ToString(), $"{i:D2}.png"), 12, Colors[k]);
        return DirectoryImageDataset.FromDirectory(_dir.Path);
    }

    private static TrainingLoaderOptions Training(int batch = 4, int workers = 2) => new()
    {
        BatchSize = batch,
        WorkerCount = workers,
        ShuffleSeed = 1,
        AugmentationSeed = 2,
        Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(8, 8) },
    };

    private static EvaluationLoaderOptions Evaluation(int batch = 4, int workers = 2) => new()
    {
        BatchSize = batch,
        WorkerCount = workers,
        Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(8, 8) },
    };

    /// <summary>
    /// Live tensors after finalising garbage left by earlier tests (their undisposed temporaries would otherwise be
    /// finalised during a test and lower the count). The count after the code under test is taken without a GC, so a
    /// tensor it forgot to dispose still counts.
    /// </summary>
    private static long SettledTensorCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.TotalCount;
    }

    private static List<(string[] Files, long[] Labels, float[] Pixels)> ReadAll(ImageBatchLoader loader, int epoch)
    {
        var result = new List<(string[], long[], float[])>();
        foreach (var batch in loader.ReadEpoch(epoch))
            using (batch)
                result.Add((batch.Files.ToArray(), batch.Labels.data<long>().ToArray(), batch.Images.data<float>().ToArray()));
        return result;
    }

    [Fact]
    public void Batches_are_float_NCHW_0_to_255_with_labels_files_and_ceil_batch_count()
    {
        var dataset = Tree(4, 3, 3);
        using var loader = ImageBatchLoader.ForEvaluation(dataset, Evaluation(batch: 4));

        Assert.Equal(3, loader.BatchesPerEpoch);
        Assert.Equal(10, loader.SampleCount);
        var sizes = new List<int>();
        foreach (var batch in loader.ReadEpoch(0))
        {
            using (batch)
            {
                using var scope = NewDisposeScope();
                sizes.Add(batch.Count);
                Assert.Equal(ScalarType.Float32, batch.Images.dtype);
                Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
                Assert.Equal(new long[] { batch.Count, 3, 8, 8 }, batch.Images.shape);
                for (int i = 0; i < batch.Count; i++)
                {
                    int label = (int)batch.Labels[i].item<long>();
                    Assert.Equal(dataset.ClassNames[label], Path.GetFileName(Path.GetDirectoryName(batch.Files[i])));
                    var colour = Colors[label];
                    Assert.Equal(new float[] { colour.Red, colour.Green, colour.Blue },
                        new[] { batch.Images[i, 0, 3, 3].item<float>(), batch.Images[i, 1, 3, 3].item<float>(), batch.Images[i, 2, 3, 3].item<float>() });
                }
                using var oneHot = batch.OneHot(3);
                Assert.Equal(new long[] { batch.Count, 3 }, oneHot.shape);
            }
        }
        Assert.Equal(new[] { 4, 4, 2 }, sizes);
    }

    [Fact]
    public void Drop_last_leaves_out_the_smaller_batch()
    {
        var options = Training(batch: 4);
        options.DropLast = true;
        using var loader = ImageBatchLoader.ForTraining(Tree(4, 3, 3), options);
        Assert.Equal(2, loader.BatchesPerEpoch);
        Assert.Equal(new[] { 4, 4 }, ReadAll(loader, 0).Select(b => b.Files.Length));
    }

    [Fact]
    public void Training_reshuffles_every_epoch_from_its_seed_and_sees_every_sample_once()
    {
        var dataset = Tree(5, 5, 5);
        using var loader = ImageBatchLoader.ForTraining(dataset, Training(batch: 4));
        using var twin = ImageBatchLoader.ForTraining(dataset, Training(batch: 4, workers: 1));

        var epoch0 = ReadAll(loader, 0).SelectMany(b => b.Files).ToArray();
        var epoch1 = ReadAll(loader, 1).SelectMany(b => b.Files).ToArray();
        var twin1 = ReadAll(twin, 1).SelectMany(b => b.Files).ToArray();

        Assert.Equal(dataset.Samples.Select(s => s.Path).Order(), epoch0.Order());
        Assert.Equal(dataset.Samples.Select(s => s.Path).Order(), epoch1.Order());
        Assert.NotEqual(epoch0, epoch1);
        Assert.NotEqual(dataset.Samples.Select(s => s.Path), epoch0);
        Assert.Equal(epoch1, twin1);
        Assert.Equal(loader.EpochOrder(1).Select(s => s.Path), epoch1);
        Assert.True(loader.IsShuffled);
    }

    [Fact]
    public void Augmentation_depends_on_its_own_seed_not_on_threads_or_the_shuffle_seed()
    {
        var dataset = Tree(5, 5, 5);
        TrainingLoaderOptions With(int workers, int shuffleSeed, int augmentationSeed)
        {
            var o = Training(batch: 4, workers: workers);
            o.ShuffleSeed = shuffleSeed;
            o.AugmentationSeed = augmentationSeed;
            o.Augmentation = new RandomOffset();
            return o;
        }

        using var one = ImageBatchLoader.ForTraining(dataset, With(1, 1, 7));
        using var three = ImageBatchLoader.ForTraining(dataset, With(3, 1, 7));
        using var otherAugmentation = ImageBatchLoader.ForTraining(dataset, With(2, 1, 8));
        using var otherShuffle = ImageBatchLoader.ForTraining(dataset, With(2, 5, 7));

        var a = ReadAll(one, 2);
        var b = ReadAll(three, 2);
        var c = ReadAll(otherAugmentation, 2);
        var d = ReadAll(otherShuffle, 2);

        Assert.True(one.IsAugmented);
        Assert.Equal(a.SelectMany(x => x.Pixels), b.SelectMany(x => x.Pixels));
        Assert.Equal(a.SelectMany(x => x.Files), c.SelectMany(x => x.Files));           // same order ...
        Assert.NotEqual(a.SelectMany(x => x.Pixels), c.SelectMany(x => x.Pixels));     // ... other augmentation
        Assert.NotEqual(a.SelectMany(x => x.Files), d.SelectMany(x => x.Files));        // other order
        // The augmentation of batch k depends on (augmentation seed, epoch, k) only: the per-image offsets (pixel minus
        // class colour) of the same batch position are equal even though the shuffle differs.
        float Offset((string[] Files, long[] Labels, float[] Pixels) batch, int i) => batch.Pixels[i * 3 * 64] - Colors[batch.Labels[i]].Red;
        Assert.Equal(Enumerable.Range(0, 4).Select(i => Offset(a[0], i)), Enumerable.Range(0, 4).Select(i => Offset(d[0], i)));
    }

    [Fact]
    public void Evaluation_loaders_keep_the_dataset_order_and_cannot_shuffle_or_augment()
    {
        var dataset = Tree(3, 3, 3);
        using var loader = ImageBatchLoader.ForEvaluation(dataset, Evaluation(batch: 2));

        Assert.False(loader.IsShuffled);
        Assert.False(loader.IsAugmented);
        Assert.Equal(dataset.Samples.Select(s => s.Path), ReadAll(loader, 0).SelectMany(b => b.Files));
        Assert.Equal(dataset.Samples.Select(s => s.Path), ReadAll(loader, 5).SelectMany(b => b.Files));
        // Nothing on the evaluation options could turn shuffling or augmentation on.
        Assert.Null(typeof(EvaluationLoaderOptions).GetProperty(nameof(TrainingLoaderOptions.Augmentation)));
        Assert.Null(typeof(EvaluationLoaderOptions).GetProperty(nameof(TrainingLoaderOptions.Shuffle)));
        Assert.Null(typeof(EvaluationLoaderOptions).GetProperty(nameof(TrainingLoaderOptions.DropLast)));
        Assert.Empty(typeof(ImageBatchLoader).GetConstructors());
    }

    [Fact]
    public void Bad_files_are_skipped_once_with_one_warning_each_and_listed_with_reasons()
    {
        var dataset0 = Tree(3, 2);
        var truncated = WriteTruncatedJpeg(_dir.Combine("a", "cut.jpg"));
        var noise = WriteRandomBytes(_dir.Combine("b", "noise.png"));
        var bomb = WriteHugePng(_dir.Combine("b", "bomb.png"));
        Write(_dir.Combine("b", "zero.png"), Array.Empty<byte>());
        var logger = new ListLogger();
        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { Logger = logger });
        Assert.Equal(dataset0.Count + 3, dataset.Count);
        var options = Training(batch: 3);
        options.Logger = logger;
        using var loader = ImageBatchLoader.ForTraining(dataset, options);

        var epoch0 = ReadAll(loader, 0);
        var epoch1 = ReadAll(loader, 1);

        foreach (var epoch in new[] { epoch0, epoch1 })
        {
            var files = epoch.SelectMany(b => b.Files).ToArray();
            Assert.Equal(dataset0.Samples.Select(s => s.Path).Order(), files.Order());
            Assert.All(epoch, b => Assert.Equal(b.Files.Length * 3 * 64, b.Pixels.Length));
        }
        var skipped = loader.SkippedFiles.ToDictionary(s => Path.GetFileName(s.Path), s => s.Reason);
        Assert.Equal(new[] { "bomb.png", "cut.jpg", "noise.png", "zero.png" }, skipped.Keys.Order());
        Assert.Contains("truncated", skipped["cut.jpg"]);
        Assert.Contains("does not recognise", skipped["noise.png"]);
        Assert.Contains("100000 x 100000", skipped["bomb.png"]);
        Assert.Contains("0 bytes", skipped["zero.png"]);
        Assert.Equal(4, logger.Entries.Count); // one per file, not one per epoch
        Assert.Contains(logger.Entries, e => e.Message.Contains(truncated));
        Assert.Contains(logger.Entries, e => e.Message.Contains(noise));
        Assert.Contains(logger.Entries, e => e.Message.Contains(bomb));
    }

    [Fact]
    public void Under_the_throw_policy_the_worker_error_surfaces_on_the_consumer_naming_the_file()
    {
        Tree(4, 4);
        var noise = WriteRandomBytes(_dir.Combine("b", "zz noise.png"));
        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path);
        var options = Evaluation(batch: 2);
        options.BadFiles = BadFilePolicy.Throw;
        using var loader = ImageBatchLoader.ForEvaluation(dataset, options);

        long before = SettledTensorCount();
        int consumerThread = Environment.CurrentManagedThreadId;
        var delivered = 0;
        var e = Assert.Throws<ImageDecodeException>(() =>
        {
            foreach (var batch in loader.ReadEpoch(0))
                using (batch)
                    delivered++;
        });
        Assert.Equal(noise, e.FilePath);
        Assert.Contains("zz noise.png", e.Message);
        Assert.Equal(4, delivered); // the four batches before the bad file arrived
        Assert.Equal(consumerThread, Environment.CurrentManagedThreadId);
        Assert.Equal(before, Tensor.TotalCount);
    }

    [Fact]
    public void An_augmentation_error_surfaces_with_the_batch_files()
    {
        var options = Training(batch: 2);
        options.Augmentation = new RandomOffset { OnApply = () => throw new InvalidDataException("boom") };
        using var loader = ImageBatchLoader.ForTraining(Tree(2, 2), options);
        var e = Assert.Throws<InvalidOperationException>(() => ReadAll(loader, 0));
        Assert.Contains("boom", e.Message);
        Assert.Contains(".png", e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
    }

    [Fact]
    public void Prefetch_is_bounded()
    {
        var dataset = Tree(10, 10, 10);
        int consumed = 0, maxAhead = 0;
        var augmentation = new RandomOffset();
        augmentation.OnApply = () =>
        {
            int ahead = augmentation.Calls - Volatile.Read(ref consumed);
            int seen;
            while ((seen = Volatile.Read(ref maxAhead)) < ahead && Interlocked.CompareExchange(ref maxAhead, ahead, seen) != seen)
            {
            }
            return 0;
        };
        var options = Training(batch: 2, workers: 3);
        options.PrefetchBatches = 2;
        options.Augmentation = augmentation;
        using var loader = ImageBatchLoader.ForTraining(dataset, options);

        foreach (var batch in loader.ReadEpoch(0))
        {
            batch.Dispose();
            Thread.Sleep(2); // let workers run ahead as far as they may
            Interlocked.Increment(ref consumed);
        }

        Assert.Equal(15, augmentation.Calls);
        // A worker takes a batch only when fewer than PrefetchBatches are waiting; the consumer counts a batch one step
        // after it frees its place, hence the + 1.
        Assert.InRange(maxAhead, 1, options.PrefetchBatches + 1);
    }

    [Fact]
    public void Cancellation_stops_between_batches_and_leaks_nothing()
    {
        using var loader = ImageBatchLoader.ForTraining(Tree(6, 6), Training(batch: 2));
        using var cts = new CancellationTokenSource();
        long before = SettledTensorCount();
        int delivered = 0;

        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.ReadEpoch(0, cancellationToken: cts.Token))
            {
                using (batch)
                    delivered++;
                cts.Cancel();
            }
        });

        Assert.Equal(1, delivered);
        Assert.Equal(before, Tensor.TotalCount);
    }

    [Fact]
    public void Leaving_an_epoch_early_or_reading_it_fully_leaks_no_tensor()
    {
        var options = Training(batch: 2);
        options.Augmentation = new RandomOffset();
        using var loader = ImageBatchLoader.ForTraining(Tree(6, 6, 6), options);
        long before = SettledTensorCount();

        foreach (var batch in loader.ReadEpoch(0))
        {
            batch.Dispose();
            break; // workers have batches ready: they must be disposed
        }
        Assert.Equal(before, Tensor.TotalCount);

        for (int epoch = 0; epoch < 3; epoch++)
            ReadAll(loader, epoch);
        Assert.Equal(before, Tensor.TotalCount);
    }

    [Fact]
    public void Batches_arrive_on_the_requested_device()
    {
        using var loader = ImageBatchLoader.ForEvaluation(Tree(2, 2), Evaluation(batch: 4));
        foreach (var batch in loader.ReadEpoch(0, torch.CPU))
            using (batch)
            {
                Assert.Equal(DeviceType.CPU, batch.Images.device_type);
                Assert.Equal(DeviceType.CPU, batch.Labels.device_type);
            }
    }

    [Fact]
    public void A_disposed_loader_refuses_to_read()
    {
        var loader = ImageBatchLoader.ForEvaluation(Tree(2), Evaluation());
        loader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loader.ReadEpoch(0));
    }

    [Theory]
    [InlineData(0, 1, 0, "BatchSize")]
    [InlineData(4, 0, 0, "WorkerCount")]
    [InlineData(4, 1, -1, "PrefetchBatches")]
    public void Invalid_options_are_refused_quoting_the_value(int batch, int workers, int prefetch, string name)
    {
        var dataset = Tree(2);
        var options = Training(batch, workers);
        options.PrefetchBatches = prefetch;
        var e = Assert.Throws<ArgumentException>(() => ImageBatchLoader.ForTraining(dataset, options));
        Assert.Equal("options", e.ParamName);
        Assert.Contains(name, e.Message);
        var noSize = Training();
        noSize.Decode = new ImageDecodeOptions();
        Assert.Contains("TargetSize", Assert.Throws<ArgumentException>(() => ImageBatchLoader.ForTraining(dataset, noSize)).Message);
    }

    [Fact]
    public void Options_are_copied_and_random_seeds_are_reported()
    {
        var dataset = Tree(3);
        var options = new TrainingLoaderOptions { BatchSize = 2, Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(8, 8) } };
        using var loader = ImageBatchLoader.ForTraining(dataset, options);
        options.BatchSize = 1;
        options.Decode.TargetSize = new SKSizeI(4, 4);
        Assert.Equal(2, loader.BatchSize);
        var batches = ReadAll(loader, 0);
        Assert.Equal(2 * 3 * 64, batches[0].Pixels.Length);
        // No seed given: a random one is chosen and reported, so the run can be reproduced.
        var again = new TrainingLoaderOptions { BatchSize = 2, ShuffleSeed = loader.ShuffleSeed, Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(8, 8) } };
        using var twin = ImageBatchLoader.ForTraining(dataset, again);
        Assert.Equal(loader.EpochOrder(3), twin.EpochOrder(3));
    }
}
