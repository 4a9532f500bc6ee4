using SkiaSharp;
using TorchSharp;
using TransferLearning.Imaging;
using static TorchSharp.torch;
using static TransferLearning.Tests.Imaging.TestImageFiles;

namespace TransferLearning.Tests.Imaging;

public sealed class ImageDecoderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    // Temporaries are disposed in scopes so that no garbage tensor is finalised during another class's tensor-counting test.
    private static float[] Pixel(Tensor image, int y, int x)
    {
        using var scope = NewDisposeScope();
        return Enumerable.Range(0, (int)image.shape[0]).Select(c => image[c, y, x].item<float>()).ToArray();
    }

    private static float Scalar(Func<Tensor> compute)
    {
        using var scope = NewDisposeScope();
        return compute().item<float>();
    }

    private static long Count(Func<Tensor> compute)
    {
        using var scope = NewDisposeScope();
        return compute().shape[0];
    }

    [Fact]
    public void Decode_without_target_size_gives_the_png_pixels_as_CHW_floats()
    {
        using var bitmap = Quadrants(8, 6);
        var path = WritePng(_dir.Combine("q.png"), bitmap);

        using var image = new ImageDecoder().Decode(path);

        Assert.Equal(new long[] { 3, 6, 8 }, image.shape);
        Assert.Equal(ScalarType.Float32, image.dtype);
        Assert.Equal(new float[] { 255, 0, 0 }, Pixel(image, 0, 0));
        Assert.Equal(new float[] { 0, 255, 0 }, Pixel(image, 0, 7));
        Assert.Equal(new float[] { 0, 0, 255 }, Pixel(image, 5, 0));
        Assert.Equal(new float[] { 255, 255, 255 }, Pixel(image, 5, 7));
    }

    [Fact]
    public void Nearest_resize_doubles_every_pixel()
    {
        using var bitmap = Quadrants(2, 2);
        var path = WritePng(_dir.Combine("q.png"), bitmap);

        using var image = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(4, 4) }).Decode(path);

        Assert.Equal(new long[] { 3, 4, 4 }, image.shape);
        using var plain = new ImageDecoder().Decode(path);
        using var twice = plain.repeat_interleave(2, 1);
        using var expected = twice.repeat_interleave(2, 2);
        Assert.True(Same(expected, image));
    }

    [Fact]
    public void Area_interpolation_averages_the_covered_pixels()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(4, 2, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.SetPixel(0, 0, new SKColor(0, 0, 0)); bitmap.SetPixel(1, 0, new SKColor(100, 40, 8));
        bitmap.SetPixel(0, 1, new SKColor(20, 40, 8)); bitmap.SetPixel(1, 1, new SKColor(40, 0, 0));
        bitmap.SetPixel(2, 0, new SKColor(200, 200, 200)); bitmap.SetPixel(3, 0, new SKColor(200, 200, 200));
        bitmap.SetPixel(2, 1, new SKColor(200, 200, 200)); bitmap.SetPixel(3, 1, new SKColor(200, 200, 200));
        var path = WritePng(_dir.Combine("a.png"), bitmap);

        using var image = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(2, 1), Interpolation = Interpolation.Area }).Decode(path);

        Assert.Equal(new float[] { 40, 20, 4 }, Pixel(image, 0, 0));
        Assert.Equal(new float[] { 200, 200, 200 }, Pixel(image, 0, 1));
    }

    [Theory]
    [InlineData(Interpolation.Nearest)]
    [InlineData(Interpolation.Bilinear)]
    [InlineData(Interpolation.Bicubic)]
    [InlineData(Interpolation.Area)]
    public void Every_interpolation_keeps_a_uniform_image_uniform_and_reaches_the_target_size(Interpolation interpolation)
    {
        var path = WriteSolidPng(_dir.Combine("s.png"), 37, new SKColor(10, 120, 230));

        using var image = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(16, 24), Interpolation = interpolation }).Decode(path);

        Assert.Equal(new long[] { 3, 24, 16 }, image.shape);
        Assert.Equal(new float[] { 10, 120, 230 }, Pixel(image, 11, 7));
        Assert.Equal(10f, Scalar(() => image[0].min()));
        Assert.Equal(10f, Scalar(() => image[0].max()));
    }

    [Fact]
    public void Bilinear_and_bicubic_blend_where_nearest_does_not()
    {
        using var bitmap = Quadrants(4, 4);
        var path = WritePng(_dir.Combine("q.png"), bitmap);
        using var nearest = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(16, 16) }).Decode(path);
        using var bilinear = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(16, 16), Interpolation = Interpolation.Bilinear }).Decode(path);
        using var bicubic = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(16, 16), Interpolation = Interpolation.Bicubic }).Decode(path);

        // Nearest only produces the source values; the others produce values in between at the quadrant edges.
        Assert.Equal(2, Count(() => nearest[0].unique().Item1));
        Assert.True(Count(() => bilinear[0].unique().Item1) > 2);
        Assert.True(Count(() => bicubic[0].unique().Item1) > 2);
        Assert.False(Same(bilinear, bicubic));
    }

    [Fact]
    public void Grayscale_uses_the_ITU_601_luminance_and_rgba_keeps_alpha()
    {
        using var bitmap = Solid(3, 3, new SKColor(200, 100, 50, 128));
        var path = WritePng(_dir.Combine("alpha.png"), bitmap);

        using var gray = new ImageDecoder(new ImageDecodeOptions { ColorMode = ColorMode.Grayscale }).Decode(path);
        using var rgba = new ImageDecoder(new ImageDecodeOptions { ColorMode = ColorMode.Rgba }).Decode(path);
        using var rgb = new ImageDecoder().Decode(path);

        Assert.Equal(new long[] { 1, 3, 3 }, gray.shape);
        Assert.Equal(MathF.Round(200 * 0.299f + 100 * 0.587f + 50 * 0.114f), Pixel(gray, 1, 1)[0]);
        Assert.Equal(new long[] { 4, 3, 3 }, rgba.shape);
        Assert.Equal(new float[] { 200, 100, 50, 128 }, Pixel(rgba, 1, 1));
        // RGB drops alpha and keeps the colour (as Pillow's convert('RGB')), also when resized.
        Assert.Equal(new float[] { 200, 100, 50 }, Pixel(rgb, 2, 2));
        using var resized = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(6, 6), Interpolation = Interpolation.Bilinear }).Decode(path);
        Assert.Equal(new float[] { 200, 100, 50 }, Pixel(resized, 3, 3));
    }

    [Fact]
    public void An_opaque_image_gets_alpha_255_in_rgba_mode()
    {
        var path = WriteSolidPng(_dir.Combine("o.png"), 4, new SKColor(1, 2, 3));
        using var rgba = new ImageDecoder(new ImageDecodeOptions { ColorMode = ColorMode.Rgba, TargetSize = new SKSizeI(2, 2) }).Decode(path);
        Assert.Equal(new float[] { 1, 2, 3, 255 }, Pixel(rgba, 1, 1));
    }

    [Fact]
    public void Exif_orientation_6_turns_the_stored_image_upright()
    {
        using var bitmap = Quadrants(32, 16);
        var path = WriteJpegWithExifOrientation(_dir.Combine("rot.jpg"), bitmap, 6);

        Assert.Equal(SKEncodedOrigin.RightTop, ImageDecoder.ReadHeader(path).Origin);
        using var upright = new ImageDecoder().Decode(path);
        using var stored = new ImageDecoder(new ImageDecodeOptions { ApplyExifOrientation = false }).Decode(path);

        Assert.Equal(new long[] { 3, 16, 32 }, stored.shape);
        Assert.Equal(new long[] { 3, 32, 16 }, upright.shape);
        // Orientation 6: the stored top row is the visual right side, the stored left column the visual top.
        AssertClose(new float[] { 0, 0, 255 }, Pixel(upright, 2, 2));      // top-left: stored bottom-left (blue)
        AssertClose(new float[] { 255, 0, 0 }, Pixel(upright, 2, 13));     // top-right: stored top-left (red)
        AssertClose(new float[] { 255, 255, 255 }, Pixel(upright, 29, 2)); // bottom-left: stored bottom-right (white)
        AssertClose(new float[] { 0, 255, 0 }, Pixel(upright, 29, 13));    // bottom-right: stored top-right (green)
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Every_exif_orientation_maps_the_stored_pixels_exactly(int orientation)
    {
        using var scope = NewDisposeScope();
        using var bitmap = PhotoLike(24, 16, orientation);
        var path = WriteJpegWithExifOrientation(_dir.Combine($"o{orientation}.jpg"), bitmap, orientation);

        using var stored = new ImageDecoder(new ImageDecodeOptions { ApplyExifOrientation = false }).Decode(path);
        using var upright = new ImageDecoder().Decode(path);

        // The EXIF definitions, written as tensor operations on C x H x W.
        using var expected = orientation switch
        {
            2 => stored.flip(2),
            3 => stored.flip(1, 2),
            4 => stored.flip(1),
            5 => stored.transpose(1, 2),
            6 => stored.transpose(1, 2).flip(2),
            7 => stored.transpose(1, 2).flip(1, 2),
            8 => stored.transpose(1, 2).flip(1),
            _ => stored.clone(),
        };
        Assert.Equal(expected.shape, upright.shape);
        Assert.True(Same(expected, upright), $"orientation {orientation}: max diff {Scalar(() => (expected - upright).abs().max())}");
    }

    [Fact]
    public void Keep_aspect_ratio_crops_the_centre_instead_of_stretching()
    {
        // 40 x 20: red | green green | blue, in quarters.
        using var bitmap = new SKBitmap(new SKImageInfo(40, 20, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 40; x++)
                bitmap.SetPixel(x, y, x < 10 ? SKColors.Red : x < 30 ? SKColors.Lime : SKColors.Blue);
        var path = WritePng(_dir.Combine("wide.png"), bitmap);

        using var cropped = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(10, 10), KeepAspectRatio = true }).Decode(path);
        using var stretched = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(10, 10) }).Decode(path);

        Assert.Equal(0f, Scalar(() => cropped[0].max()));   // no red
        Assert.Equal(0f, Scalar(() => cropped[2].max()));   // no blue
        Assert.Equal(255f, Scalar(() => cropped[1].min())); // all green
        Assert.Equal(new float[] { 255, 0, 0 }, Pixel(stretched, 5, 0));
        Assert.Equal(new float[] { 0, 0, 255 }, Pixel(stretched, 5, 9));
    }

    [Fact]
    public void Scaled_decoding_is_used_for_large_jpegs_and_stays_close_to_a_full_decode()
    {
        using var bitmap = PhotoLike(512, 384, 11);
        var path = WriteJpeg(_dir.Combine("big.jpg"), bitmap);
        var options = new ImageDecodeOptions { TargetSize = new SKSizeI(64, 64), Interpolation = Interpolation.Area };

        using var scaled = new ImageDecoder(options).Decode(path);
        options.UseScaledDecoding = false;
        using var full = new ImageDecoder(options).Decode(path);

        Assert.Equal(new long[] { 3, 64, 64 }, scaled.shape);
        Assert.False(Same(scaled, full)); // a different path was taken
        var meanDiff = Scalar(() => (scaled - full).abs().mean());
        Assert.True(meanDiff < 3f, $"mean abs difference {meanDiff}");
    }

    [Fact]
    public void Below_twice_the_target_scaled_decoding_waits_for_a_lower_coverage()
    {
        using var bitmap = PhotoLike(200, 150, 5);
        var path = WriteJpeg(_dir.Combine("mid.jpg"), bitmap);
        ImageDecodeOptions Options(bool scaled, double coverage) => new() { TargetSize = new SKSizeI(90, 90), Interpolation = Interpolation.Bilinear, UseScaledDecoding = scaled, ScaledDecodingMinimumCoverage = coverage };

        using var full = new ImageDecoder(Options(false, 1)).Decode(path);
        using var defaultRule = new ImageDecoder(Options(true, 1)).Decode(path);
        using var half = new ImageDecoder(Options(true, 0.8)).Decode(path); // 100 x 75 covers 0.83 of 90

        Assert.True(Same(full, defaultRule)); // 200 x 150 is not twice 90 x 90: no scaled decode
        Assert.False(Same(full, half));
        Assert.True(Scalar(() => (full - half).abs().mean()) < 6f);
        Assert.Throws<ArgumentException>(() => new ImageDecoder(Options(true, 0)));
    }

    [Fact]
    public void The_decoder_copies_its_options()
    {
        var options = new ImageDecodeOptions { TargetSize = new SKSizeI(8, 8) };
        var decoder = new ImageDecoder(options);
        options.TargetSize = new SKSizeI(2, 2);
        options.ColorMode = ColorMode.Grayscale;
        var path = WriteSolidPng(_dir.Combine("s.png"), 4, SKColors.Red);
        using var image = decoder.Decode(path);
        Assert.Equal(new long[] { 3, 8, 8 }, image.shape);
    }

    [Theory]
    [InlineData(0, 5, 1_000L)]
    [InlineData(5, -1, 1_000L)]
    [InlineData(5, 5, 0L)]
    public void Invalid_options_are_refused_quoting_the_value(int width, int height, long maxPixels)
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(width, height), MaxPixels = maxPixels }));
        Assert.Equal("options", e.ParamName);
        Assert.Contains(maxPixels <= 0 ? $"{maxPixels}" : $"{width} x {height}", e.Message);
    }

    [Fact]
    public void A_png_claiming_100000_by_100000_pixels_is_refused_from_its_header()
    {
        var path = WriteHugePng(_dir.Combine("bomb.png"));

        var header = ImageDecoder.ReadHeader(path);
        Assert.Equal((100_000, 100_000), (header.Width, header.Height));
        var e = Assert.Throws<ImageTooLargeException>(() => new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(32, 32) }).Decode(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(ImageDecodeOptions.DefaultMaxPixels, e.MaxPixels);
        Assert.Contains("bomb.png", e.Message);
        Assert.Contains("100000 x 100000", e.Message);
        Assert.Contains("89,478,485", e.Message);
    }

    [Fact]
    public void The_pixel_limit_can_be_lowered()
    {
        var path = WriteSolidPng(_dir.Combine("s.png"), 32, SKColors.Red);
        Assert.Throws<ImageTooLargeException>(() => new ImageDecoder(new ImageDecodeOptions { MaxPixels = 1023 }).Decode(path));
        using var ok = new ImageDecoder(new ImageDecodeOptions { MaxPixels = 1024 }).Decode(path);
    }

    [Fact]
    public void A_truncated_jpeg_fails_naming_the_file()
    {
        var path = WriteTruncatedJpeg(_dir.Combine("cut.jpg"));
        var e = Assert.Throws<ImageDecodeException>(() => new ImageDecoder().Decode(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("cut.jpg", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Random_bytes_named_png_and_a_zero_byte_file_fail_naming_the_file()
    {
        var noise = WriteRandomBytes(_dir.Combine("noise.png"));
        var empty = Write(_dir.Combine("empty.jpg"), Array.Empty<byte>());

        var e1 = Assert.Throws<ImageDecodeException>(() => new ImageDecoder().Decode(noise));
        var e2 = Assert.Throws<ImageDecodeException>(() => new ImageDecoder().Decode(empty));
        Assert.Contains("noise.png", e1.Message);
        Assert.Contains("does not recognise", e1.Message);
        Assert.Contains("empty.jpg", e2.Message);
        Assert.Contains("0 bytes", e2.Message);
    }

    [Fact]
    public void Names_with_spaces_and_non_ascii_characters_decode()
    {
        var path = WriteSolidPng(_dir.Combine("ünïcødé földer", "pomme rôtie 🍎.png"), 5, new SKColor(9, 8, 7));
        using var image = new ImageDecoder().Decode(path);
        Assert.Equal(new float[] { 9, 8, 7 }, Pixel(image, 0, 0));
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg, "x.jpg")]
    [InlineData(SKEncodedImageFormat.Webp, "x.webp")]
    public void Jpeg_and_webp_decode_to_roughly_their_colour(SKEncodedImageFormat format, string name)
    {
        using var bitmap = Solid(16, 16, new SKColor(40, 160, 220));
        var path = Write(_dir.Combine(name), Encode(bitmap, format, 100));
        using var image = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(8, 8) }).Decode(path);
        AssertClose(new float[] { 40, 160, 220 }, Pixel(image, 4, 4));
    }

    internal static bool Same(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance = 6)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
    }

    [Fact]
    public void Fine_scaled_decoding_is_opt_in_and_keeps_edges_where_a_full_decode_puts_them()
    {
        // 100 x 80, black left of column 60, white from it: decoded to 60 x 48 the smallest covering DCT scale is 5/8
        // (63 x 50: libjpeg rounds 62.5 up). Mapping back by the exact 8/5 puts the edge where the full decode has it;
        // the ratio of sizes (100/63) would move it by a third of an output pixel.
        var path = WriteEdgeJpeg(_dir.Combine("edge.jpg"), 100, 80, whiteFromColumn: 60);
        ImageDecodeOptions Options(bool fine) => new() { TargetSize = new SKSizeI(60, 48), Interpolation = Interpolation.Bilinear, UseFineScaledDecoding = fine };
        using var byDefault = new ImageDecoder(Options(false)).Decode(path);
        using var fine = new ImageDecoder(Options(true)).Decode(path);
        using var noScaling = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(60, 48), Interpolation = Interpolation.Bilinear, UseScaledDecoding = false }).Decode(path);

        Assert.True(Same(noScaling, byDefault)); // 100 x 80 is less than twice 60 x 48: no scaled decode by default
        Assert.False(Same(noScaling, fine));
        // White area per row (in output pixels) = where the edge lies; rows away from the top and bottom.
        float WhiteColumns(Tensor image) => Scalar(() => image[1, TensorIndex.Slice(8, 40)].sum() / (255f * 32));
        float expected = WhiteColumns(noScaling), actual = WhiteColumns(fine);
        Assert.True(Math.Abs(actual - expected) < 0.1f, $"white columns per row: fine-scaled {actual}, full {expected}");
    }

    [Theory]
    [InlineData(100, 75, 48, 48)]   // downscale
    [InlineData(40, 30, 64, 50)]    // upscale
    [InlineData(64, 48, 64, 48)]    // same size
    public void The_managed_bilinear_resize_agrees_with_skias_draw_to_within_its_byte_rounding(int width, int height, int targetW, int targetH)
    {
        using var bitmap = PhotoLike(width, height, seed: width);
        var path = WritePng(_dir.Combine($"p{width}.png"), bitmap);
        var options = new ImageDecodeOptions { TargetSize = new SKSizeI(targetW, targetH), Interpolation = Interpolation.Bilinear };
        using var managed = new ImageDecoder(options).Decode(path);
        using var skia = new ImageDecoder(options) { UseManagedSampler = false }.Decode(path);
        // Skia rounds each sample to a byte (and interpolates in fixed point); the managed sampler keeps the float.
        Assert.True(Scalar(() => (managed - skia).abs().max()) <= 1f);
        Assert.True(Scalar(() => (managed - skia).abs().mean()) < 0.35f);
    }

    [Fact]
    public void Exif_orientation_and_the_keep_aspect_crop_take_the_same_geometry_in_both_resamplers()
    {
        using var bitmap = PhotoLike(90, 60, seed: 9);
        foreach (int orientation in new[] { 1, 3, 6, 8 })
        {
            var path = WriteJpegWithExifOrientation(_dir.Combine($"o{orientation}.jpg"), bitmap, orientation);
            // 36 x 27 from 80 x 60: a half-scale decode, crop, orientation and a resize in one map.
            var options = new ImageDecodeOptions { TargetSize = new SKSizeI(36, 27), Interpolation = Interpolation.Bilinear, KeepAspectRatio = true };
            using var managed = new ImageDecoder(options).Decode(path);
            using var skia = new ImageDecoder(options) { UseManagedSampler = false }.Decode(path);
            Assert.True(Scalar(() => (managed - skia).abs().max()) <= 1f, $"orientation {orientation}: max {Scalar(() => (managed - skia).abs().max())}");
        }
    }

    [Theory]
    [InlineData(Interpolation.Bilinear, true)]
    [InlineData(Interpolation.Bilinear, false)]
    [InlineData(Interpolation.Bicubic, false)]
    [InlineData(Interpolation.Area, false)]
    public void A_crop_of_a_half_scale_decode_keeps_the_edge_in_place(Interpolation interpolation, bool managedSampler)
    {
        // 90 x 60, white from column 45; keep-aspect 40 x 30 crops 80 x 60 from column 5, so the edge lands at output
        // column 20. The half-scale decode (45 x 30) makes the whole map a translation by 2.5 decoded pixels, which
        // SkiaSharp's DrawImage would draw as a sprite snapped to whole pixels (19.5 white columns). Nearest is left
        // out: its samples fall exactly between two pixels here, so either side is right.
        var path = WriteEdgeJpeg(_dir.Combine("edge.jpg"), 90, 60, whiteFromColumn: 45);
        var options = new ImageDecodeOptions { TargetSize = new SKSizeI(40, 30), Interpolation = interpolation, KeepAspectRatio = true };
        using var image = new ImageDecoder(options) { UseManagedSampler = managedSampler }.Decode(path);
        float whiteColumns = Scalar(() => image[1].sum() / (255f * 30));
        Assert.True(Math.Abs(whiteColumns - 20f) < 0.05f, $"white columns per row {whiteColumns}");
    }
}
