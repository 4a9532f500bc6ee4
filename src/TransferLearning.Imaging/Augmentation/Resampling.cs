namespace TransferLearning.Augmentation;

/// <summary>
/// How a geometric transform resamples the image: interpolation, fill mode and the fill value of
/// <see cref="FillMode.Constant"/>. Consecutive geometric transforms with equal settings are fused into one resample.
/// </summary>
/// <param name="Interpolation">Bilinear (the default) or nearest.</param>
/// <param name="FillMode">How points outside the image are filled; <see cref="FillMode.Nearest"/> by default.</param>
/// <param name="FillValue">The value (0..255 scale) used by <see cref="FillMode.Constant"/>; 0 by default, Keras' <c>cval</c>.</param>
public readonly record struct Resampling(
    AffineInterpolation Interpolation = AffineInterpolation.Bilinear,
    FillMode FillMode = FillMode.Nearest,
    double FillValue = 0)
{
    /// <summary>Bilinear interpolation, nearest fill, fill value 0 (Keras' defaults).</summary>
    public static Resampling Default => new(AffineInterpolation.Bilinear, FillMode.Nearest, 0);

    /// <summary>Throws when a member is not a defined value or the fill value is not finite.</summary>
    /// <param name="paramName">The parameter name to report.</param>
    internal Resampling Validated(string paramName)
    {
        if (!Enum.IsDefined(Interpolation))
            throw new ArgumentOutOfRangeException(paramName, Interpolation, $"Unknown interpolation {(int)Interpolation}.");
        if (!Enum.IsDefined(FillMode))
            throw new ArgumentOutOfRangeException(paramName, FillMode, $"Unknown fill mode {(int)FillMode}; expected Nearest, Constant, Reflect or Wrap.");
        if (!double.IsFinite(FillValue))
            throw new ArgumentOutOfRangeException(paramName, FillValue, $"The fill value must be finite; got {FillValue}.");
        return this;
    }
}
