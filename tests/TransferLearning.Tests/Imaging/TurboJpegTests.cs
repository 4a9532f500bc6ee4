using SkiaSharp;
using TransferLearning.Imaging;
using Xunit.Abstractions;
using static TransferLearning.Tests.Imaging.TestImageFiles;

namespace TransferLearning.Tests.Imaging;

/// <summary>
/// The system libjpeg-turbo path decodes the very pixels SkiaSharp's decoder gives, at full and every DCT scale, for
/// every chroma subsampling and grayscale, and leaves every file it cannot decode cleanly to SkiaSharp. The comparisons
/// need the library (Debian: libturbojpeg0, which .ci/run installs); where it is absent they have nothing to compare and
/// say so, except under CI, where its absence fails.
/// </summary>
public sealed class TurboJpegTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly ITestOutputHelper _output;

    public TurboJpegTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    private bool LibraryPresent()
    {
        if (TurboJpeg.Library is not null)
            return true;
        Assert.True(Environment.GetEnvironmentVariable("CI") is null,
            $"CI installs libjpeg-turbo (libturbojpeg0), yet none loaded (tried {string.Join(", ", TurboJpeg.CandidateNames)}).");
        _output.WriteLine("No system libjpeg-turbo here (apt-get install libturbojpeg0): nothing to compare.");
        return false;
    }

    private static byte[] EncodeJpeg(SKBitmap bitmap, SKJpegEncoderDownsample downsample, int quality = 90)
    {
        using var pixmap = bitmap.PeekPixels()!;
        using var data = pixmap.Encode(new SKJpegEncoderOptions(quality, downsample, SKJpegEncoderAlphaOption.Ignore))!;
        return data.ToArray();
    }

    private static byte[] SkiaPixels(byte[] jpeg, int width, int height)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(jpeg));
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var pixels = new byte[info.BytesSize];
        unsafe
        {
            fixed (byte* p = pixels)
                Assert.Equal(SKCodecResult.Success, codec.GetPixels(info, (IntPtr)p));
        }
        return pixels;
    }

    [Theory]
    [InlineData(500, 375, SKJpegEncoderDownsample.Downsample420, false)]
    [InlineData(333, 251, SKJpegEncoderDownsample.Downsample420, false)]
    [InlineData(301, 199, SKJpegEncoderDownsample.Downsample422, false)]
    [InlineData(257, 130, SKJpegEncoderDownsample.Downsample444, false)]
    [InlineData(211, 173, SKJpegEncoderDownsample.Downsample444, true)]
    public void Same_pixels_as_SkiaSharp_at_full_size_and_every_dct_scale(int width, int height, SKJpegEncoderDownsample downsample, bool grey)
    {
        if (!LibraryPresent())
            return;
        using var colour = PhotoLike(width, height, width + height);
        using var bitmap = grey ? colour.Copy(SKColorType.Gray8) : colour.Copy();
        var jpeg = EncodeJpeg(bitmap, downsample);
        var stored = SkiaPixels(jpeg, width, height);
        bool allGrey = Enumerable.Range(0, width * height).All(i => stored[4 * i] == stored[4 * i + 1] && stored[4 * i] == stored[4 * i + 2]);
        Assert.Equal(grey, allGrey); // a one-component JPEG when grey, a colour one otherwise
        for (int eighths = 1; eighths <= 8; eighths++)
        {
            SKSizeI size;
            using (var codec = SKCodec.Create(new SKMemoryStream(jpeg)))
                size = codec.GetScaledDimensions(eighths / 8f);
            var expected = SkiaPixels(jpeg, size.Width, size.Height);
            var actual = new byte[expected.Length];
            actual.AsSpan().Fill(7);
            unsafe
            {
                fixed (byte* p = actual)
                    Assert.True(TurboJpeg.TryDecode(jpeg, width, height, (IntPtr)p, size.Width, size.Height, size.Width * 4), $"{eighths}/8 declined");
            }
            int differing = expected.Zip(actual, (a, b) => a != b).Count(d => d);
            Assert.True(differing == 0, $"{eighths}/8 ({size.Width} x {size.Height}): {differing} of {expected.Length} bytes differ");
        }
    }

    [Theory]
    [InlineData(Interpolation.Nearest, false)]
    [InlineData(Interpolation.Bilinear, true)]
    [InlineData(Interpolation.Area, false)]
    public void The_decoder_gives_the_same_values_whichever_library_decodes(Interpolation interpolation, bool fine)
    {
        if (!LibraryPresent())
            return;
        using var bitmap = PhotoLike(640, 480, 5);
        var path = WriteJpeg(_dir.Combine("photo.jpg"), bitmap, quality: 85);
        ImagePixelDecoder Decoder(JpegDecoder library) => new(new ImageDecodeOptions
        {
            TargetSize = new SKSizeI(150, 120), Interpolation = interpolation, UseFineScaledDecoding = fine, JpegDecoder = library,
        });
        var skia = Decoder(JpegDecoder.SkiaSharp).Decode(path, out _, out _);
        var turbo = Decoder(JpegDecoder.LibJpegTurbo).Decode(path, out _, out _);
        var auto = Decoder(JpegDecoder.Auto).Decode(path, out _, out _);
        Assert.Equal(skia, turbo);
        Assert.Equal(skia, auto);
    }

    [Fact]
    public void A_truncated_file_is_left_to_SkiaSharp_which_names_it()
    {
        if (!LibraryPresent())
            return;
        var path = WriteTruncatedJpeg(_dir.Combine("cut.jpg"));
        var bytes = File.ReadAllBytes(path);
        var buffer = new byte[64 * 64 * 4];
        unsafe
        {
            fixed (byte* p = buffer)
                Assert.False(TurboJpeg.TryDecode(bytes, 64, 64, (IntPtr)p, 64, 64, 64 * 4)); // a warning: declined
        }
        var decoder = new ImagePixelDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(32, 32), JpegDecoder = JpegDecoder.LibJpegTurbo });
        var error = Assert.Throws<ImageDecodeException>(() => decoder.Decode(path, out _, out _));
        Assert.Contains("cut.jpg", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Sizes_that_are_not_the_file_or_an_eighth_scale_of_it_are_declined()
    {
        using var bitmap = PhotoLike(100, 80, 1);
        var jpeg = EncodeJpeg(bitmap, SKJpegEncoderDownsample.Downsample420);
        var buffer = new byte[100 * 80 * 4];
        unsafe
        {
            fixed (byte* p = buffer)
            {
                Assert.False(TurboJpeg.TryDecode(jpeg, 100, 80, (IntPtr)p, 99, 80, 99 * 4)); // not an n/8 scale
                Assert.False(TurboJpeg.TryDecode(jpeg, 101, 80, (IntPtr)p, 101, 80, 101 * 4)); // not the stored size
                Assert.False(TurboJpeg.TryDecode(ReadOnlySpan<byte>.Empty, 100, 80, (IntPtr)p, 100, 80, 400));
                Assert.Equal(TurboJpeg.Library is not null, TurboJpeg.TryDecode(jpeg, 100, 80, (IntPtr)p, 50, 40, 200)); // 4/8
            }
        }
    }

    [Fact]
    public void An_undefined_choice_is_refused_naming_the_option()
    {
        var error = Assert.Throws<ArgumentException>(() => new ImagePixelDecoder(new ImageDecodeOptions { JpegDecoder = (JpegDecoder)9 }));
        Assert.Contains("JpegDecoder 9", error.Message);
        Assert.Equal(JpegDecoder.Auto, new ImageDecodeOptions().JpegDecoder);
        Assert.Equal(JpegDecoder.SkiaSharp, new ImageDecodeOptions { JpegDecoder = JpegDecoder.SkiaSharp }.Clone().JpegDecoder);
    }
}
