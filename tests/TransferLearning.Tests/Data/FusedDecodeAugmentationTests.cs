using SkiaSharp;
using TransferLearning.Augmentation;
using TransferLearning.Data;
using TransferLearning.Imaging;
using TransferLearning.Tests.Support;
using Xunit.Abstractions;
using static TransferLearning.Tests.Imaging.TestImageFiles;

namespace TransferLearning.Tests.Data;

/// <summary>
/// The loader's fused path (augmentation's geometric steps drawn during the decode-time resize) against the tensor path
/// (decode + resize, then the pipeline on the batch) for the same seeds.
/// </summary>
[Collection(TensorLifetimeCollection.Name)]
public sealed class FusedDecodeAugmentationTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly ITestOutputHelper _output;

    public FusedDecodeAugmentationTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    /// <summary>Photo-like 100 × 75 JPEGs (so a half-scale DCT decode feeds the 48 × 48 resize, as in the benchmark).</summary>
    private DirectoryImageDataset Photos(int count = 8)
    {
        for (int i = 0; i < count; i++)
        {
            using var bitmap = PhotoLike(100, 75, seed: i);
            WriteJpeg(_dir.Combine(i % 2 == 0 ? "a" : "b", $"{i:D2}.jpg"), bitmap);
        }
        return DirectoryImageDataset.FromDirectory(_dir.Path);
    }

    private static TrainingLoaderOptions Options(IAugmentation augmentation, bool fuse, int seed = 2) => new()
    {
        BatchSize = 4,
        WorkerCount = 2,
        ShuffleSeed = 1,
        AugmentationSeed = seed,
        Augmentation = augmentation,
        FuseGeometricIntoDecode = fuse,
        Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(48, 48), Interpolation = Interpolation.Bilinear },
    };

    private static float[] ReadEpoch(ImageBatchLoader loader, int epoch, out List<string> files)
    {
        var values = new List<float>();
        files = new List<string>();
        foreach (var batch in loader.ReadEpoch(epoch))
            using (batch)
            {
                values.AddRange(batch.Images.data<float>().ToArray());
                files.AddRange(batch.Files);
            }
        return values.ToArray();
    }

    private static KerasImageDataGenerator Recipe(string fillMode = "nearest", bool center = true) => new()
    {
        RotationRange = 180,
        ZoomRange = 0.1,
        WidthShiftRange = 0.1,
        HeightShiftRange = 0.1,
        HorizontalFlip = true,
        VerticalFlip = true,
        SamplewiseCenter = center,
        FillMode = fillMode,
    };

    private (double Mean, double Max, double WithinOne) Compare(IAugmentation augmentation, int fusedSeed = 2, int epoch = 0)
    {
        var dataset = Photos();
        using var fused = ImageBatchLoader.ForTraining(dataset, Options(augmentation, fuse: true, fusedSeed));
        using var tensorPath = ImageBatchLoader.ForTraining(dataset, Options(augmentation, fuse: false));
        Assert.True(fused.FusesGeometricIntoDecode);
        Assert.False(tensorPath.FusesGeometricIntoDecode);
        var a = ReadEpoch(fused, epoch, out var filesA);
        var b = ReadEpoch(tensorPath, epoch, out var filesB);
        Assert.Equal(filesB, filesA);
        Assert.Equal(b.Length, a.Length);
        double sum = 0, max = 0;
        int within = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs(a[i] - b[i]);
            sum += d;
            max = Math.Max(max, d);
            if (d <= 1) within++;
        }
        return (sum / a.Length, max, (double)within / a.Length);
    }

    [Fact]
    public void Flips_alone_match_the_tensor_path_within_one_grey_level()
    {
        // Flips map pixel centres onto pixel centres, so one draw and decode-then-flip must agree (same seed, same flips).
        var pipeline = new AugmentationPipeline(new RandomFlip(FlipDirection.Horizontal), new RandomFlip(FlipDirection.Vertical));
        var (mean, max, within) = Compare(pipeline);
        _output.WriteLine($"flips: mean |fused - tensor| = {mean:F4}, max = {max:F3}, within 1 grey level = {within:P2}");
        Assert.True(max <= 1.0, $"max difference {max}");
    }

    [Fact]
    public void Keras_recipe_draws_the_same_parameters_and_differs_only_by_resampling()
    {
        var recipe = Recipe().ToPipeline();
        var same = Compare(recipe);
        var otherSeed = Compare(recipe, fusedSeed: 3);
        _output.WriteLine($"Keras recipe, same seed: mean |fused - tensor| = {same.Mean:F3}, max = {same.Max:F1}, within 1 grey level = {same.WithinOne:P1}");
        _output.WriteLine($"Keras recipe, other seed (what different parameters look like): mean = {otherSeed.Mean:F3}, within 1 = {otherSeed.WithinOne:P1}");
        // Same parameters: the two paths differ by one resample of a photo-like image (edges, fine texture).
        Assert.True(same.Mean < 3.0, $"mean difference {same.Mean}");
        Assert.True(otherSeed.Mean > 5 * same.Mean, $"other seed {otherSeed.Mean} vs same seed {same.Mean}");
    }

    [Fact]
    public void Reflect_fill_is_fused_and_matches_the_tensor_path_as_closely_as_nearest()
    {
        var nearest = Compare(Recipe("nearest", center: false).ToPipeline());
        var reflect = Compare(Recipe("reflect", center: false).ToPipeline());
        _output.WriteLine($"nearest fill: mean = {nearest.Mean:F3}, max = {nearest.Max:F1}; reflect fill: mean = {reflect.Mean:F3}, max = {reflect.Max:F1}");
        Assert.True(reflect.Mean < 2 * nearest.Mean + 0.5, $"reflect {reflect.Mean} vs nearest {nearest.Mean}");
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("wrap")]
    public void Fill_modes_without_a_draw_time_equivalent_stay_on_the_tensor_path(string fillMode)
    {
        var dataset = Photos(2);
        using var loader = ImageBatchLoader.ForTraining(dataset, Options(Recipe(fillMode).ToPipeline(), fuse: true));
        Assert.False(loader.FusesGeometricIntoDecode);
    }

    [Fact]
    public void Other_settings_that_cannot_be_fused_stay_on_the_tensor_path()
    {
        var dataset = Photos(2);
        var recipe = Recipe().ToPipeline();
        var nearestDecode = Options(recipe, fuse: true);
        nearestDecode.Decode.Interpolation = Interpolation.Nearest;
        var cropped = Options(recipe, fuse: true);
        cropped.Decode.KeepAspectRatio = true;
        var photometricFirst = Options(new AugmentationPipeline(new SamplewiseCenter(), new RandomRotation(30)), fuse: true);
        var notAPipeline = Options(new RandomRotation(30), fuse: true);
        foreach (var options in new[] { nearestDecode, cropped, photometricFirst, notAPipeline })
        {
            using var loader = ImageBatchLoader.ForTraining(dataset, options);
            Assert.False(loader.FusesGeometricIntoDecode);
        }
        using var byDefault = ImageBatchLoader.ForTraining(dataset, new TrainingLoaderOptions
        {
            Augmentation = recipe,
            Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(48, 48), Interpolation = Interpolation.Bilinear },
        });
        Assert.True(byDefault.FusesGeometricIntoDecode);
    }

    [Fact]
    public void Fused_path_is_deterministic_and_leaves_no_tensor_alive()
    {
        var dataset = Photos();
        var recipe = Recipe().ToPipeline();
        using var loader = ImageBatchLoader.ForTraining(dataset, Options(recipe, fuse: true));
        var first = ReadEpoch(loader, 1, out _);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = TorchSharp.torch.Tensor.TotalCount;
        var second = ReadEpoch(loader, 1, out _);
        Assert.Equal(before, TorchSharp.torch.Tensor.TotalCount);
        Assert.Equal(first, second);
    }
}
