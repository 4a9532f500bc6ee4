using SkiaSharp;
using TransferLearning.Imaging;

namespace TransferLearning.Training;

/// <summary>
/// How a model's input images are decoded — the decode settings of the source it was trained on, or
/// <see cref="TransferTrainerOptions.Decode"/>. Part of the model: saved in the model file and used by
/// <see cref="TransferTrainer.Predict(IEnumerable{string})"/> and the other file and bitmap predictions, so serving decodes as
/// training did (no training/serving skew).
/// </summary>
public sealed record InputContract
{
    /// <summary>Input height in pixels.</summary>
    public int Height { get; init; }

    /// <summary>Input width in pixels.</summary>
    public int Width { get; init; }

    /// <summary>The resampling to the input size (<see cref="ImageDecodeOptions.Interpolation"/>).</summary>
    public Interpolation Interpolation { get; init; } = Interpolation.Bilinear;

    /// <summary>The crop mode: the centred region of the input's aspect ratio is resized (<see cref="ImageDecodeOptions.KeepAspectRatio"/>), or the whole image is stretched.</summary>
    public bool KeepAspectRatio { get; init; }

    /// <summary>The channels decoded (<see cref="ImageDecodeOptions.ColorMode"/>).</summary>
    public ColorMode ColorMode { get; init; } = ColorMode.Rgb;

    /// <summary><see cref="ImageDecodeOptions.ApplyExifOrientation"/>.</summary>
    public bool ApplyExifOrientation { get; init; } = true;

    /// <summary><see cref="ImageDecodeOptions.UseScaledDecoding"/>.</summary>
    public bool UseScaledDecoding { get; init; } = true;

    /// <summary><see cref="ImageDecodeOptions.UseFineScaledDecoding"/>.</summary>
    public bool UseFineScaledDecoding { get; init; }

    /// <summary><see cref="ImageDecodeOptions.ScaledDecodingMinimumCoverage"/>.</summary>
    public double ScaledDecodingMinimumCoverage { get; init; } = 1.0;

    /// <summary>The contract of decode options (their target size, or <paramref name="size"/> when they have none).</summary>
    /// <param name="options">The decode options.</param>
    /// <param name="size">Height and width when <see cref="ImageDecodeOptions.TargetSize"/> is not set.</param>
    public static InputContract FromDecodeOptions(ImageDecodeOptions options, (int Height, int Width)? size = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (height, width) = options.TargetSize is { } t ? (t.Height, t.Width)
            : size ?? throw new ArgumentException("The decode options have no TargetSize and no size was given.", nameof(options));
        return new InputContract
        {
            Height = height,
            Width = width,
            Interpolation = options.Interpolation,
            KeepAspectRatio = options.KeepAspectRatio,
            ColorMode = options.ColorMode,
            ApplyExifOrientation = options.ApplyExifOrientation,
            UseScaledDecoding = options.UseScaledDecoding,
            UseFineScaledDecoding = options.UseFineScaledDecoding,
            ScaledDecodingMinimumCoverage = options.ScaledDecodingMinimumCoverage,
        };
    }

    /// <summary>Decode options that decode files exactly as this contract says.</summary>
    public ImageDecodeOptions ToDecodeOptions() => new()
    {
        TargetSize = new SKSizeI(Width, Height),
        Interpolation = Interpolation,
        KeepAspectRatio = KeepAspectRatio,
        ColorMode = ColorMode,
        ApplyExifOrientation = ApplyExifOrientation,
        UseScaledDecoding = UseScaledDecoding,
        UseFineScaledDecoding = UseFineScaledDecoding,
        ScaledDecodingMinimumCoverage = ScaledDecodingMinimumCoverage,
    };
}
