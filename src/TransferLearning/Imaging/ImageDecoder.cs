using SkiaSharp;
using TransferLearning.Augmentation;
using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Imaging;

/// <summary>
/// Decodes image files with SkiaSharp into float32 C×H×W tensors with values 0..255: header checked against the pixel
/// limit first, EXIF orientation, optional centre crop, scaled (DCT) decoding and one resample to the target size.
/// Thread-safe: one decoder may be used from many threads at once. The pixels come from
/// <see cref="ImagePixelDecoder"/> (the TorchSharp-free package TransferLearning.Imaging), which the ONNX Runtime
/// predictor uses too, so a file decodes the same in training and in serving.
/// </summary>
public sealed class ImageDecoder
{
    private readonly ImagePixelDecoder _pixels;

    /// <summary>Creates a decoder; <paramref name="options"/> is copied (default: <c>new ImageDecodeOptions()</c>).</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message quotes it.</exception>
    public ImageDecoder(ImageDecodeOptions? options = null)
    {
        _pixels = new ImagePixelDecoder(options);
    }

    /// <summary>
    /// Whether bilinear decodes of opaque pixels use <see cref="RgbaBilinearSampler"/> (default) or a Skia draw plus
    /// a byte-to-float pass (internal switch for tests and benchmarks).
    /// </summary>
    internal bool UseManagedSampler
    {
        get => _pixels.UseManagedSampler;
        init => _pixels.UseManagedSampler = value;
    }

    /// <summary>The TorchSharp-free decoder that produces the pixels.</summary>
    public ImagePixelDecoder Pixels => _pixels;

    /// <summary>A copy of the options in force.</summary>
    public ImageDecodeOptions Options => _pixels.Options;

    /// <summary>Number of channels produced: 3 (RGB), 1 (grayscale) or 4 (RGBA).</summary>
    public int Channels => _pixels.Channels;

    /// <summary>Number of floats one decoded image occupies when <see cref="ImageDecodeOptions.TargetSize"/> is set.</summary>
    internal int ValuesPerImage => _pixels.ValuesPerImage;

    /// <summary>Reads the header of <paramref name="path"/>: size, orientation and format, without decoding pixels.</summary>
    /// <exception cref="ImageDecodeException">The file is empty, unreadable or not an image SkiaSharp recognises.</exception>
    public static ImageHeader ReadHeader(string path) => ImagePixelDecoder.ReadHeader(path);

    /// <summary>Decodes one file into a new float32 tensor C×H×W (values 0..255) on the CPU, owned by the caller.</summary>
    /// <param name="path">The image file.</param>
    /// <exception cref="ImageTooLargeException">The header announces more than <see cref="ImageDecodeOptions.MaxPixels"/> pixels.</exception>
    /// <exception cref="ImageDecodeException">The file is empty, truncated, corrupt or not an image; the message names it.</exception>
    public Tensor Decode(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        TorchNative.EnsureLoaded();
        float[] values = _pixels.Decode(path, out int height, out int width);
        return tensor(values, new long[] { Channels, height, width }, ScalarType.Float32);
    }

    /// <summary>Decodes one file to the target size into <paramref name="destination"/> (C×H×W floats, 0..255).</summary>
    internal void DecodeInto(string path, Span<float> destination) => _pixels.DecodeInto(path, destination);

    /// <summary>Decodes with an augmentation map folded into the resample (<see cref="ImagePixelDecoder"/>'s fused path).</summary>
    internal void DecodeInto(string path, Span<float> destination, AffineMatrix? augment, Resampling resampling) =>
        _pixels.DecodeInto(path, destination, augment, resampling);

    /// <summary>Whether decodes under <paramref name="options"/> can fold an augmentation map with <paramref name="fillMode"/>.</summary>
    internal static bool CanFuse(ImageDecodeOptions options, FillMode fillMode) => ImagePixelDecoder.CanFuse(options, fillMode);

    internal static SKMatrix ToSkia(AffineMatrix m) => ImagePixelDecoder.ToSkia(m);

    internal static int ChannelCount(ColorMode mode) => ImagePixelDecoder.ChannelCount(mode);
}
