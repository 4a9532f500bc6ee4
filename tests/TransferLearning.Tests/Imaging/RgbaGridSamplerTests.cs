using SkiaSharp;
using TransferLearning.Augmentation;
using TransferLearning.Imaging;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;
using static TransferLearning.Tests.Imaging.TestImageFiles;

namespace TransferLearning.Tests.Imaging;

/// <summary>
/// The grid sampler (the augmentation's resample over a resized image given as offsets into decoded pixels) against
/// the tensor path's kernel on the same grid, and the decoder's nearest fused decode against a nearest decode followed
/// by the same map.
/// </summary>
public sealed class RgbaGridSamplerTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] RandomRgba(int width, int height, int rowBytes, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[rowBytes * height];
        random.NextBytes(bytes);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bytes[y * rowBytes + 4 * x + 3] = 255;
        return bytes;
    }

    /// <summary>The grid's image as 1×3×H×W planes: pixel (i, j) read at rows[i] + columns[j].</summary>
    private static float[] GridPlanes(byte[] rgba, int[] rows, int[] columns)
    {
        int h = rows.Length, w = columns.Length;
        var planes = new float[3 * h * w];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    planes[(c * h + i) * w + j] = rgba[4 * (rows[i] + columns[j]) + c];
        return planes;
    }

    private static unsafe float[] Sample(byte[] rgba, int[] rows, int[] columns, AffineMatrix map, Resampling resampling, ColorMode mode, int outHeight, int outWidth)
    {
        var destination = new float[ImageDecoder.ChannelCount(mode) * outHeight * outWidth];
        fixed (byte* p = rgba)
            RgbaGridSampler.Sample(new RgbaGridSampler.Grid((IntPtr)p, rows, columns), map, resampling, mode, destination, outHeight, outWidth);
        return destination;
    }


    [Theory]
    [MemberData(nameof(SamplerCases.FillModesAndWidths), MemberType = typeof(SamplerCases))]
    public void Matches_the_tensor_path_kernel_on_a_permuted_grid_for_every_fill_mode(FillMode fillMode, int width)
    {
        // A 40 × 37 source read through a grid of 19 rows × width columns picked out of order, with repeats (as a
        // nearest enlargement repeats pixels), swapped axes excluded: the kernel sees exactly the gathered image.
        const int SourceWidth = 37, SourceHeight = 40, Height = 19;
        int stride = SourceWidth + 3;
        var rgba = RandomRgba(SourceWidth, SourceHeight, 4 * stride, seed: width);
        var random = new Random(width);
        var rows = Enumerable.Range(0, Height).Select(_ => random.Next(SourceHeight) * stride).ToArray();
        var columns = Enumerable.Range(0, width).Select(_ => random.Next(SourceWidth)).ToArray();
        double a = 37 * Math.PI / 180;
        var map = AffineMatrix.AboutCentre(new AffineMatrix(Math.Cos(a) / 0.9, -Math.Sin(a) / 0.9, 2.5, Math.Sin(a) / 0.9, Math.Cos(a) / 0.9, -3.25), Height, width);
        var resampling = new Resampling(AffineInterpolation.Bilinear, fillMode, FillValue: 17);

        var sampled = Sample(rgba, rows, columns, map, resampling, ColorMode.Rgb, Height, width);
        var reference = SamplerCases.TensorPath(GridPlanes(rgba, rows, columns), Height, width, map, resampling, Height, width);

        double max = sampled.Zip(reference, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(max < 2e-3, $"{fillMode}, width {width}: max |grid sampler - tensor kernel| = {max}");
        if (fillMode == FillMode.Constant)
            Assert.Contains(17f, sampled);
    }

    [Fact]
    public void Identity_map_over_the_identity_grid_copies_the_pixels_and_grey_uses_the_byte_weights()
    {
        const int Width = 21, Height = 5;
        var rgba = RandomRgba(Width, Height, 4 * Width, seed: 1);
        var (rows, columns) = RgbaGridSampler.IdentityOffsets(Height, Width, Width);
        var planes = GridPlanes(rgba, rows, columns);
        Assert.Equal(planes, Sample(rgba, rows, columns, AffineMatrix.Identity, Resampling.Default, ColorMode.Rgb, Height, Width));
        var grey = Sample(rgba, rows, columns, AffineMatrix.Identity, Resampling.Default, ColorMode.Grayscale, Height, Width);
        int plane = Width * Height;
        for (int i = 0; i < plane; i++)
        {
            float expected = (planes[i] * 19595f + planes[plane + i] * 38470f + planes[2 * plane + i] * 7471f) / 65536f;
            Assert.True(Math.Abs(grey[i] - expected) < 1e-3, $"pixel {i}: {grey[i]} vs {expected}");
        }
    }

    [Fact]
    public void Nearest_offsets_follow_swapped_and_flipped_axes_and_refuse_a_rotation()
    {
        // Decoded 6 wide × 8 high drawn onto 3 × 4 (columns × rows) with the axes swapped and one flipped:
        // output (x, y) = (decoded y / 2.5, 4 - decoded x / 1.5), so output row i reads decoded column 6 - 1.5 (i + ½)
        // and output column j decoded row 2.5 (j + ½). No point falls on a pixel edge (Skia decides those ties).
        var decodedToOutput = new SKMatrix(0, 0.4f, 0, -1 / 1.5f, 0, 4, 0, 0, 1);
        var (rows, columns) = NearestGrid.Offsets(decodedToOutput, 4, 3, decodedHeight: 8, decodedWidth: 6, rowElements: 10);
        Assert.Equal(new[] { 5, 3, 2, 0 }, rows); // columns at 5.25, 3.75, 2.25, 0.75
        Assert.Equal(new[] { 10, 30, 60 }, columns); // rows at 1.25, 3.75, 6.25 (× 10 elements)
        Assert.Throws<ArgumentException>(() => NearestGrid.Offsets(SKMatrix.CreateRotationDegrees(10), 4, 3, 8, 6, 10));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(6, true)]
    [InlineData(8, true)]
    public void Nearest_fused_decode_of_the_identity_map_equals_the_plain_nearest_decode(int orientation, bool keepAspect)
    {
        // Enlarging, shrinking from a half-scale DCT decode and an odd ratio, with EXIF orientation and the crop: the
        // grid must pick the pixels Skia's nearest draw picks.
        using var bitmap = PhotoLike(90, 60, seed: orientation);
        var path = WriteJpegWithExifOrientation(_dir.Combine($"o{orientation}.jpg"), bitmap, orientation);
        foreach (var size in new[] { new SKSizeI(36, 27), new SKSizeI(131, 97), new SKSizeI(50, 50), new SKSizeI(17, 23) })
        {
            var decoder = new ImagePixelDecoder(new ImageDecodeOptions { TargetSize = size, KeepAspectRatio = keepAspect });
            var plain = new float[decoder.ValuesPerImage];
            var fused = new float[decoder.ValuesPerImage];
            decoder.DecodeInto(path, plain);
            decoder.DecodeInto(path, fused, AffineMatrix.Identity, Resampling.Default);
            int differing = plain.Zip(fused).Count(p => p.First != p.Second);
            Assert.True(differing == 0, $"orientation {orientation}, {size.Width} x {size.Height}: {differing} of {plain.Length} values differ");
        }
    }
}
