using TransferLearning.Augmentation;
using TransferLearning.Imaging;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Imaging;

/// <summary>
/// The decoder's managed sampler against the tensor path's kernel (<see cref="ManagedAffineKernel"/>, itself checked
/// against Keras/scipy): the same map on the same pixels must give the same values for every fill mode, in both the
/// eight-at-a-time and the scalar code.
/// </summary>
public sealed class RgbaBilinearSamplerTests
{
    /// <summary>Random opaque RGBA pixels, rows padded to <paramref name="rowBytes"/>.</summary>
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

    /// <summary>The same pixels as a 1×3×H×W float tensor, as the tensor path sees a decoded batch.</summary>
    private static float[] Planes(byte[] rgba, int width, int height, int rowBytes)
    {
        var planes = new float[3 * width * height];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    planes[(c * height + y) * width + x] = rgba[y * rowBytes + 4 * x + c];
        return planes;
    }

    private static unsafe float[] Sample(byte[] rgba, int width, int height, int rowBytes, AffineMatrix toIntermediate,
        int midHeight, int midWidth, Resampling resampling, AffineMatrix toSource, ColorMode mode, int outHeight, int outWidth)
    {
        var destination = new float[ImageDecoder.ChannelCount(mode) * outHeight * outWidth];
        fixed (byte* p = rgba)
            RgbaBilinearSampler.Sample(new RgbaBilinearSampler.Source((IntPtr)p, width, height, rowBytes), toIntermediate,
                midHeight, midWidth, resampling, toSource, mode, destination, outHeight, outWidth);
        return destination;
    }


    [Theory]
    [MemberData(nameof(SamplerCases.FillModesAndWidths), MemberType = typeof(SamplerCases))]
    public void Matches_the_tensor_path_kernel_for_every_fill_mode(FillMode fillMode, int width)
    {
        const int Height = 19;
        int rowBytes = 4 * width + 12;
        var rgba = RandomRgba(width, Height, rowBytes, seed: width);
        // Rotation by 37 degrees, zoom 0.9 and a shift about the centre: parts of the output fall outside the image.
        double a = 37 * Math.PI / 180;
        var map = AffineMatrix.AboutCentre(new AffineMatrix(Math.Cos(a) / 0.9, -Math.Sin(a) / 0.9, 2.5, Math.Sin(a) / 0.9, Math.Cos(a) / 0.9, -3.25), Height, width);
        var resampling = new Resampling(AffineInterpolation.Bilinear, fillMode, FillValue: 17);

        var managed = Sample(rgba, width, Height, rowBytes, map, Height, width, resampling, AffineMatrix.Identity, ColorMode.Rgb, Height, width);
        var reference = SamplerCases.TensorPath(Planes(rgba, width, Height, rowBytes), Height, width, map, resampling, Height, width);

        double max = managed.Zip(reference, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(max < 2e-3, $"{fillMode}, width {width}: max |sampler - tensor kernel| = {max}");
        if (fillMode == FillMode.Constant)
            Assert.Contains(17f, managed);
    }

    [Fact]
    public void Identity_maps_copy_the_pixels_in_every_colour_mode()
    {
        const int Width = 21, Height = 5;
        var rgba = RandomRgba(Width, Height, 4 * Width, seed: 1);
        var planes = Planes(rgba, Width, Height, 4 * Width);
        var identity = AffineMatrix.Identity;

        var rgb = Sample(rgba, Width, Height, 4 * Width, identity, Height, Width, Resampling.Default, identity, ColorMode.Rgb, Height, Width);
        Assert.Equal(planes, rgb);

        var withAlpha = Sample(rgba, Width, Height, 4 * Width, identity, Height, Width, Resampling.Default, identity, ColorMode.Rgba, Height, Width);
        Assert.Equal(planes, withAlpha.Take(planes.Length));
        Assert.All(withAlpha.Skip(planes.Length), v => Assert.Equal(255f, v));

        var grey = Sample(rgba, Width, Height, 4 * Width, identity, Height, Width, Resampling.Default, identity, ColorMode.Grayscale, Height, Width);
        int plane = Width * Height;
        for (int i = 0; i < plane; i++)
        {
            float expected = (planes[i] * 19595f + planes[plane + i] * 38470f + planes[2 * plane + i] * 7471f) / 65536f;
            Assert.True(Math.Abs(grey[i] - expected) < 1e-3, $"pixel {i}: {grey[i]} vs {expected}");
        }
    }

    [Fact]
    public void The_fill_rule_applies_at_the_intermediate_image_edges_and_the_source_map_after_it()
    {
        // Source 8 wide, intermediate (the "resized image") 4 wide at half the resolution: a shift of the output by
        // 10 intermediate pixels falls outside the intermediate image, so constant fill gives the fill value even though
        // the source map alone would still land inside the 8-pixel source.
        const int Width = 8, Height = 8;
        var rgba = RandomRgba(Width, Height, 4 * Width, seed: 4);
        var toSource = new AffineMatrix(2, 0, 0.5, 0, 2, 0.5); // intermediate centre i -> source 2i + 0.5
        var shifted = new AffineMatrix(1, 0, 0, 0, 1, 10);
        var outside = Sample(rgba, Width, Height, 4 * Width, shifted, 4, 4, new Resampling(AffineInterpolation.Bilinear, FillMode.Constant, 9), toSource, ColorMode.Rgb, 4, 4);
        Assert.All(outside, v => Assert.Equal(9f, v));

        // Nearest fill clamps to the intermediate image's last column (intermediate x = 3 -> source x = 6.5).
        var clamped = Sample(rgba, Width, Height, 4 * Width, shifted, 4, 4, Resampling.Default, toSource, ColorMode.Rgb, 4, 4);
        var planes = Planes(rgba, Width, Height, 4 * Width);
        float expected = 0.25f * (planes[0 * Width + 6] + planes[0 * Width + 7] + planes[1 * Width + 6] + planes[1 * Width + 7]);
        Assert.True(Math.Abs(clamped[0] - expected) < 1e-3, $"{clamped[0]} vs {expected}");
    }

    [Fact]
    public void Rows_with_a_short_stride_are_refused()
    {
        var rgba = new byte[64];
        Assert.Throws<ArgumentException>(() => Sample(rgba, 4, 4, 12, AffineMatrix.Identity, 4, 4, Resampling.Default, AffineMatrix.Identity, ColorMode.Rgb, 4, 4));
    }
}
