namespace TransferLearning.Augmentation;

/// <summary>
/// The augmentation arguments of Keras' <c>ImageDataGenerator</c>, under the same names in PascalCase, so a Keras
/// recipe ports line by line; <see cref="ToPipeline"/> (or <see cref="AugmentationPipeline.FromKeras"/>) builds the
/// equivalent <see cref="AugmentationPipeline"/>. Every default is Keras' default (no augmentation).
/// </summary>
/// <remarks>
/// Order, as Keras: rotation · shift · shear · zoom · horizontal flip · vertical flip (one fused resample), channel
/// shift, brightness, rescale, samplewise centre, samplewise std normalisation. Keras' integer form of the shift
/// ranges (a random choice among whole pixels) is not reproduced: values of 1 and more are uniform pixel ranges.
/// </remarks>
public sealed class KerasImageDataGenerator
{
    /// <summary><c>rotation_range</c>: degrees, angles drawn from [−value, +value]; 0 by default.</summary>
    public double RotationRange { get; init; }

    /// <summary><c>width_shift_range</c>: below 1 a fraction of the width, from 1 on pixels; 0 by default.</summary>
    public double WidthShiftRange { get; init; }

    /// <summary><c>height_shift_range</c>: below 1 a fraction of the height, from 1 on pixels; 0 by default.</summary>
    public double HeightShiftRange { get; init; }

    /// <summary><c>shear_range</c>: shear angle in degrees, drawn from [−value, +value]; 0 by default.</summary>
    public double ShearRange { get; init; }

    /// <summary><c>zoom_range</c> as a float z: factors drawn from [1 − z, 1 + z] per axis independently; 0 by default.</summary>
    public double ZoomRange { get; init; }

    /// <summary><c>zoom_range</c> as a pair [lower, upper]; when set it takes precedence over <see cref="ZoomRange"/>; null by default.</summary>
    public (double Lower, double Upper)? ZoomRangeBounds { get; init; }

    /// <summary><c>channel_shift_range</c>: intensity range on the 0..255 scale; 0 by default.</summary>
    public double ChannelShiftRange { get; init; }

    /// <summary><c>fill_mode</c>: "nearest" (the default), "constant", "reflect" or "wrap".</summary>
    public string FillMode { get; init; } = "nearest";

    /// <summary><c>cval</c>: the fill value of "constant"; 0 by default.</summary>
    public double Cval { get; init; }

    /// <summary><c>interpolation_order</c>: 1 bilinear (the default) or 0 nearest.</summary>
    public int InterpolationOrder { get; init; } = 1;

    /// <summary><c>horizontal_flip</c>: flip left-right with probability 0.5; false by default.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary><c>vertical_flip</c>: flip top-bottom with probability 0.5; false by default.</summary>
    public bool VerticalFlip { get; init; }

    /// <summary><c>brightness_range</c>: factors [lower, upper], 1 keeps the image; null (off) by default.</summary>
    public (double Lower, double Upper)? BrightnessRange { get; init; }

    /// <summary><c>rescale</c>: multiplier applied after the random transforms; null (off) by default.</summary>
    public double? Rescale { get; init; }

    /// <summary><c>samplewise_center</c>: subtract each image's mean; false by default.</summary>
    public bool SamplewiseCenter { get; init; }

    /// <summary><c>samplewise_std_normalization</c>: divide each image by its std + 1e-6; false by default.</summary>
    public bool SamplewiseStdNormalization { get; init; }

    /// <summary>Builds the pipeline; throws quoting the argument when one is invalid.</summary>
    public AugmentationPipeline ToPipeline()
    {
        var resampling = new Resampling(ParseOrder(InterpolationOrder), ParseFillMode(FillMode), BatchGuard.Finite(Cval, "cval"));
        var steps = new List<IAugmentation>();
        if (RotationRange != 0) steps.Add(new RandomRotation(Checked(RotationRange, "rotation_range"), resampling));
        double h = Checked(HeightShiftRange, "height_shift_range"), w = Checked(WidthShiftRange, "width_shift_range");
        if (h != 0 || w != 0)
        {
            var hu = h < 1 ? ShiftUnit.Fraction : ShiftUnit.Pixels;
            var wu = w < 1 ? ShiftUnit.Fraction : ShiftUnit.Pixels;
            if (hu == wu || h == 0 || w == 0)
                steps.Add(new RandomShift(h, w, h == 0 ? wu : hu, resampling));
            else
            {
                steps.Add(new RandomShift(h, 0, hu, resampling));
                steps.Add(new RandomShift(0, w, wu, resampling));
            }
        }
        if (ShearRange != 0) steps.Add(new RandomShear(Checked(ShearRange, "shear_range"), resampling));
        if (ZoomRangeBounds is { } zoom)
        {
            if (!(zoom.Lower == 1 && zoom.Upper == 1)) steps.Add(Wrap(() => new RandomZoom(zoom.Lower, zoom.Upper, false, resampling), "zoom_range", zoom));
        }
        else if (ZoomRange != 0)
        {
            steps.Add(Wrap(() => new RandomZoom(ZoomRange, false, resampling), "zoom_range", ZoomRange));
        }
        if (HorizontalFlip) steps.Add(new RandomFlip(FlipDirection.Horizontal));
        if (VerticalFlip) steps.Add(new RandomFlip(FlipDirection.Vertical));
        if (ChannelShiftRange != 0) steps.Add(new RandomChannelShift(Checked(ChannelShiftRange, "channel_shift_range")));
        if (BrightnessRange is { } b) steps.Add(Wrap(() => new RandomBrightness(b.Lower, b.Upper), "brightness_range", b));
        if (Rescale is { } r && r != 0) steps.Add(new Rescale(BatchGuard.Finite(r, "rescale")));
        if (SamplewiseCenter) steps.Add(new SamplewiseCenter());
        if (SamplewiseStdNormalization) steps.Add(new SamplewiseStdNormalization());
        return new AugmentationPipeline(steps);
    }

    private static double Checked(double value, string kerasName)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(kerasName, value, $"{kerasName} must be a finite value >= 0; got {value}.");
        return value;
    }

    private static T Wrap<T>(Func<T> create, string kerasName, object value)
    {
        try { return create(); }
        catch (ArgumentException e)
        {
            throw new ArgumentOutOfRangeException(kerasName, value, $"Invalid {kerasName} = {value}: {e.Message}");
        }
    }

    private static FillMode ParseFillMode(string? fillMode) => fillMode switch
    {
        "nearest" => Augmentation.FillMode.Nearest,
        "constant" => Augmentation.FillMode.Constant,
        "reflect" => Augmentation.FillMode.Reflect,
        "wrap" => Augmentation.FillMode.Wrap,
        _ => throw new ArgumentOutOfRangeException("fill_mode", fillMode, $"Unknown fill_mode '{fillMode}'; expected 'nearest', 'constant', 'reflect' or 'wrap'."),
    };

    private static AffineInterpolation ParseOrder(int order) => order switch
    {
        1 => AffineInterpolation.Bilinear,
        0 => AffineInterpolation.Nearest,
        _ => throw new ArgumentOutOfRangeException("interpolation_order", order, $"interpolation_order must be 0 (nearest) or 1 (bilinear); got {order}."),
    };
}
