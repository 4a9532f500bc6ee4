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

    /// <summary>Photo-like 100 × 75 JPEGs (at least twice 48, so a half-scale DCT decode feeds the 48 × 48 resize).</summary>
    private DirectoryImageDataset Photos(int count = 8)
    {
        for (int i = 0; i < count; i++)
        {
            using var bitmap = PhotoLike(100, 75, seed: i);
            WriteJpeg(_dir.Combine(i % 2 == 0 ? "a" : "b", $"{i:D2}.jpg"), bitmap);
        }
        return DirectoryImageDataset.FromDirectory(_dir.Path);
    }

    private static TrainingLoaderOptions Options(IAugmentation augmentation, bool fuse, int seed = 2, bool scaledDecoding = true,
        Interpolation interpolation = Interpolation.Bilinear) => new()
    {
        BatchSize = 4,
        WorkerCount = 2,
        ShuffleSeed = 1,
        AugmentationSeed = seed,
        Augmentation = augmentation,
        FuseGeometricIntoDecode = fuse,
        Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(48, 48), Interpolation = interpolation, UseScaledDecoding = scaledDecoding },
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

    private (double Mean, double Max, double WithinOne) Compare(IAugmentation augmentation, int fusedSeed = 2, int epoch = 0,
        Interpolation interpolation = Interpolation.Bilinear, bool keepAspectRatio = false)
    {
        var dataset = Photos();
        var fusedOptions = Options(augmentation, fuse: true, fusedSeed, interpolation: interpolation);
        var tensorOptions = Options(augmentation, fuse: false, interpolation: interpolation);
        fusedOptions.Decode.KeepAspectRatio = tensorOptions.Decode.KeepAspectRatio = keepAspectRatio;
        using var fused = ImageBatchLoader.ForTraining(dataset, fusedOptions);
        using var tensorPath = ImageBatchLoader.ForTraining(dataset, tensorOptions);
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

    [Fact]
    public void One_resample_is_closer_than_two_to_an_ideal_rendering_from_the_full_resolution_image()
    {
        // Reference: each output pixel averages 4 × 4 sub-pixel samples, each taken bilinearly from the full-resolution
        // decode through the exact composed map (augmentation, then resized image -> full image). Both loader paths
        // start from the same full decode (scaled decoding off: this compares resampling, not DCT scaling); the fused
        // path resamples once, the tensor path twice.
        var dataset = Photos();
        var pipeline = Recipe(center: false).ToPipeline();
        using var fused = ImageBatchLoader.ForTraining(dataset, Options(pipeline, fuse: true, scaledDecoding: false));
        using var tensorPath = ImageBatchLoader.ForTraining(dataset, Options(pipeline, fuse: false, scaledDecoding: false));
        var prefix = pipeline.SplitGeometricPrefix(48, 48)!;
        var full = new ImageDecoder(new ImageDecodeOptions());
        const int Size = 48, Sub = 4;
        double fusedError = 0, tensorError = 0;
        long values = 0;
        using var batchesA = fused.ReadEpoch(0).GetEnumerator();
        int batchIndex = 0;
        foreach (var b in tensorPath.ReadEpoch(0))
        {
            using var batchB = b;
            Assert.True(batchesA.MoveNext());
            using var batchA = batchesA.Current;
            var maps = prefix.SampleMatrices(new Random(TransferLearning.Seeds.Mix(2, 0, batchIndex++)), batchB.Count, Size, Size);
            var a = batchA.Images.data<float>().ToArray();
            var t = batchB.Images.data<float>().ToArray();
            for (int k = 0; k < batchB.Count; k++)
            {
                using var source = full.Decode(batchB.Files[k]);
                int h = (int)source.shape[1], w = (int)source.shape[2];
                var px = source.data<float>().ToArray();
                for (int c = 0; c < 3; c++)
                    for (int r = 0; r < Size; r++)
                        for (int col = 0; col < Size; col++)
                        {
                            double sum = 0;
                            for (int i = 0; i < Sub; i++)
                                for (int j = 0; j < Sub; j++)
                                {
                                    var (ry, cx) = maps[k].Map(r + (i + 0.5) / Sub - 0.5, col + (j + 0.5) / Sub - 0.5);
                                    // resized-image pixel coordinates -> full image pixel coordinates (centres aligned)
                                    double fy = (ry + 0.5) * h / Size - 0.5, fx = (cx + 0.5) * w / Size - 0.5;
                                    sum += Bilinear(px, c, h, w, fy, fx);
                                }
                            double reference = sum / (Sub * Sub);
                            int o = ((k * 3 + c) * Size + r) * Size + col;
                            fusedError += Math.Abs(a[o] - reference);
                            tensorError += Math.Abs(t[o] - reference);
                            values++;
                        }
            }
        }
        fusedError /= values;
        tensorError /= values;
        _output.WriteLine($"mean |path - ideal|: fused (one resample) = {fusedError:F3}, tensor (two resamples) = {tensorError:F3} grey levels");
        Assert.True(fusedError < tensorError, $"fused {fusedError} vs tensor {tensorError}");
    }

    /// <summary>Bilinear sample of plane <paramref name="c"/> at (y, x), coordinates clamped to the image (scipy's nearest fill).</summary>
    private static double Bilinear(float[] px, int c, int h, int w, double y, double x)
    {
        y = Math.Clamp(y, 0, h - 1);
        x = Math.Clamp(x, 0, w - 1);
        int y0 = (int)Math.Floor(y), x0 = (int)Math.Floor(x);
        int y1 = Math.Min(y0 + 1, h - 1), x1 = Math.Min(x0 + 1, w - 1);
        double fy = y - y0, fx = x - x0;
        int plane = c * h * w;
        return (1 - fy) * ((1 - fx) * px[plane + y0 * w + x0] + fx * px[plane + y0 * w + x1])
             + fy * ((1 - fx) * px[plane + y1 * w + x0] + fx * px[plane + y1 * w + x1]);
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("wrap")]
    public void Constant_and_wrap_fill_fuse_for_rgb_and_match_the_tensor_path_as_closely_as_nearest(string fillMode)
    {
        // The decoder's sampler applies the fill rule at the resized image's edges, as the tensor path does.
        var nearest = Compare(Recipe("nearest", center: false).ToPipeline());
        var other = Compare(Recipe(fillMode, center: false).ToPipeline());
        _output.WriteLine($"nearest fill: mean = {nearest.Mean:F3}, max = {nearest.Max:F1}; {fillMode} fill: mean = {other.Mean:F3}, max = {other.Max:F1}");
        Assert.True(other.Mean < 2 * nearest.Mean + 0.5, $"{fillMode} {other.Mean} vs nearest {nearest.Mean}");
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("wrap")]
    public void Constant_and_wrap_fill_stay_on_the_tensor_path_for_rgba(string fillMode)
    {
        // RGBA output may keep a file's transparency, which goes through a Skia draw: no exact constant or wrap rule there.
        var dataset = Photos(2);
        var options = Options(Recipe(fillMode).ToPipeline(), fuse: true);
        options.Decode.ColorMode = ColorMode.Rgba;
        using var loader = ImageBatchLoader.ForTraining(dataset, options);
        Assert.False(loader.FusesGeometricIntoDecode);
    }

    [Fact]
    public void Keep_aspect_ratio_crop_fuses_for_rgb_and_matches_the_tensor_path()
    {
        var dataset = Photos();
        var recipe = Recipe(center: false).ToPipeline();
        var fusedOptions = Options(recipe, fuse: true);
        fusedOptions.Decode.KeepAspectRatio = true;
        var tensorOptions = Options(recipe, fuse: false);
        tensorOptions.Decode.KeepAspectRatio = true;
        using var fused = ImageBatchLoader.ForTraining(dataset, fusedOptions);
        using var tensorPath = ImageBatchLoader.ForTraining(dataset, tensorOptions);
        Assert.True(fused.FusesGeometricIntoDecode);
        var a = ReadEpoch(fused, 0, out _);
        var b = ReadEpoch(tensorPath, 0, out _);
        double mean = a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
        var uncropped = Compare(recipe);
        _output.WriteLine($"cropped: mean |fused - tensor| = {mean:F3}; uncropped: {uncropped.Mean:F3}");
        Assert.True(mean < 2 * uncropped.Mean + 0.5, $"cropped {mean} vs uncropped {uncropped.Mean}");
    }

    [Fact]
    public void Other_settings_that_cannot_be_fused_stay_on_the_tensor_path()
    {
        var dataset = Photos(2);
        var recipe = Recipe().ToPipeline();
        var croppedRgba = Options(recipe, fuse: true);
        croppedRgba.Decode.KeepAspectRatio = true;
        croppedRgba.Decode.ColorMode = ColorMode.Rgba;
        var photometricFirst = Options(new AugmentationPipeline(new SamplewiseCenter(), new RandomRotation(30)), fuse: true);
        var notAPipeline = Options(new RandomRotation(30), fuse: true);
        foreach (var options in new[] { croppedRgba, photometricFirst, notAPipeline })
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

    [Theory]
    [InlineData(Interpolation.Nearest, "nearest", false)]
    [InlineData(Interpolation.Nearest, "reflect", true)]
    [InlineData(Interpolation.Nearest, "constant", false)]
    [InlineData(Interpolation.Bicubic, "nearest", false)]
    [InlineData(Interpolation.Bicubic, "wrap", true)]
    [InlineData(Interpolation.Area, "nearest", false)]
    [InlineData(Interpolation.Area, "reflect", true)]
    public void Nearest_bicubic_and_area_decodes_fuse_and_give_what_the_two_resamples_give(Interpolation interpolation, string fillMode, bool keepAspect)
    {
        // These decodes resize first and the augmentation resamples that resize, as on the tensor path, but on the
        // worker and without the batch in between (nearest: over the grid of decoded pixels the resize picks), so
        // the two paths differ only by float rounding.
        var recipe = Recipe(fillMode, center: false).ToPipeline();
        var (mean, max, _) = Compare(recipe, interpolation: interpolation, keepAspectRatio: keepAspect);
        _output.WriteLine($"{interpolation} decode, {fillMode} fill, keep aspect {keepAspect}: mean |fused - tensor| = {mean:E2}, max = {max:E2}");
        Assert.True(max < 1e-3, $"max difference {max}");
        var otherSeed = Compare(recipe, fusedSeed: 3, interpolation: interpolation, keepAspectRatio: keepAspect);
        Assert.True(otherSeed.Mean > 1, $"another seed differs by only {otherSeed.Mean}");
    }

    [Fact]
    public void Fusion_does_not_depend_on_the_device_the_batches_go_to()
    {
        // Decode and geometry run on the CPU workers whatever the device; the batch is copied after. The CPU device
        // given explicitly takes the same path (and gives the same pixels) as no device.
        var dataset = Photos(4);
        using var loader = ImageBatchLoader.ForTraining(dataset, Options(Recipe().ToPipeline(), fuse: true));
        Assert.True(loader.FusesGeometricIntoDecode);
        var implicitCpu = ReadEpoch(loader, 0, out _);
        var values = new List<float>();
        foreach (var batch in loader.ReadEpoch(0, TorchSharp.torch.CPU))
            using (batch)
                values.AddRange(batch.Images.data<float>().ToArray());
        Assert.Equal(implicitCpu, values.ToArray());
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
