namespace TransferLearning.Augmentation;

/// <summary>
/// Shifts each image by offsets drawn uniformly from [−range, +range] per axis, as Keras'
/// <c>height_shift_range</c> / <c>width_shift_range</c> (given as a fraction of the size or in pixels).
/// </summary>
public sealed class RandomShift : GeometricAugmentation<ShiftOffset>
{
    /// <summary>Creates the transform.</summary>
    /// <param name="heightRange">The range along rows, ≥ 0 (≤ 1 when a fraction).</param>
    /// <param name="widthRange">The range along columns, ≥ 0 (≤ 1 when a fraction).</param>
    /// <param name="unit">Whether the ranges are fractions of the size (the default) or pixels.</param>
    /// <param name="resampling">Interpolation and fill; <see cref="Augmentation.Resampling.Default"/> when null.</param>
    public RandomShift(double heightRange, double widthRange, ShiftUnit unit = ShiftUnit.Fraction, Resampling? resampling = null)
        : base(resampling ?? Augmentation.Resampling.Default)
    {
        if (!Enum.IsDefined(unit)) throw new ArgumentOutOfRangeException(nameof(unit), unit, $"Unknown shift unit {(int)unit}.");
        HeightRange = BatchGuard.NonNegative(heightRange, nameof(heightRange));
        WidthRange = BatchGuard.NonNegative(widthRange, nameof(widthRange));
        if (unit == ShiftUnit.Fraction && heightRange > 1)
            throw new ArgumentOutOfRangeException(nameof(heightRange), heightRange, $"A fraction of the height must be in [0, 1]; got {heightRange} (use ShiftUnit.Pixels for pixels).");
        if (unit == ShiftUnit.Fraction && widthRange > 1)
            throw new ArgumentOutOfRangeException(nameof(widthRange), widthRange, $"A fraction of the width must be in [0, 1]; got {widthRange} (use ShiftUnit.Pixels for pixels).");
        Unit = unit;
    }

    /// <summary>The range along rows.</summary>
    public double HeightRange { get; }

    /// <summary>The range along columns.</summary>
    public double WidthRange { get; }

    /// <summary>The unit of both ranges.</summary>
    public ShiftUnit Unit { get; }

    /// <inheritdoc />
    public override bool IsRandom => HeightRange != 0 || WidthRange != 0;

    /// <inheritdoc />
    public override ShiftOffset[] Sample(Random random, int count, int height, int width)
    {
        double rows = Unit == ShiftUnit.Fraction ? HeightRange * height : HeightRange;
        double cols = Unit == ShiftUnit.Fraction ? WidthRange * width : WidthRange;
        var offsets = new ShiftOffset[count];
        for (int i = 0; i < count; i++)
        {
            double tx = BatchGuard.Uniform(random, -rows, rows);
            double ty = BatchGuard.Uniform(random, -cols, cols);
            offsets[i] = new ShiftOffset(tx, ty);
        }
        return offsets;
    }

    /// <inheritdoc />
    public override AffineMatrix GetMatrix(ShiftOffset parameters, int height, int width) => Matrix(parameters);

    /// <summary>Keras' shift matrix <c>[[1, 0, tx], [0, 1, ty]]</c> (the same about any centre).</summary>
    /// <param name="offset">The shift in pixels.</param>
    public static AffineMatrix Matrix(ShiftOffset offset) => new(1, 0, offset.Rows, 0, 1, offset.Cols);
}
