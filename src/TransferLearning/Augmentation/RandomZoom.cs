namespace TransferLearning.Augmentation;

/// <summary>
/// Zooms each image about its centre by factors drawn uniformly from [<see cref="Lower"/>, <see cref="Upper"/>]:
/// independently per axis as Keras' <c>zoom_range</c>, or one factor for both axes when
/// <see cref="KeepAspectRatio"/> is set. Factors above 1 zoom out (the image shrinks), below 1 zoom in.
/// </summary>
public sealed class RandomZoom : GeometricAugmentation<ZoomFactors>
{
    /// <summary>Keras' float form: factors drawn from [1 − <paramref name="range"/>, 1 + <paramref name="range"/>].</summary>
    /// <param name="range">In [0, 1).</param>
    /// <param name="keepAspectRatio">Whether one factor serves both axes; false (Keras) by default.</param>
    /// <param name="resampling">Interpolation and fill; <see cref="Augmentation.Resampling.Default"/> when null.</param>
    public RandomZoom(double range, bool keepAspectRatio = false, Resampling? resampling = null)
        : this(1 - CheckRange(range), 1 + range, keepAspectRatio, resampling)
    {
    }

    /// <summary>Factors drawn from [<paramref name="lower"/>, <paramref name="upper"/>] (Keras' pair form).</summary>
    /// <param name="lower">Smallest factor, &gt; 0.</param>
    /// <param name="upper">Largest factor, ≥ <paramref name="lower"/>.</param>
    /// <param name="keepAspectRatio">Whether one factor serves both axes; false (Keras) by default.</param>
    /// <param name="resampling">Interpolation and fill; <see cref="Augmentation.Resampling.Default"/> when null.</param>
    public RandomZoom(double lower, double upper, bool keepAspectRatio = false, Resampling? resampling = null)
        : base(resampling ?? Augmentation.Resampling.Default)
    {
        BatchGuard.Range(lower, upper, nameof(lower), nameof(upper));
        if (lower <= 0) throw new ArgumentOutOfRangeException(nameof(lower), lower, $"Zoom factors must be > 0; got lower = {lower}.");
        Lower = lower;
        Upper = upper;
        KeepAspectRatio = keepAspectRatio;
    }

    /// <summary>Smallest factor.</summary>
    public double Lower { get; }

    /// <summary>Largest factor.</summary>
    public double Upper { get; }

    /// <summary>Whether one factor is drawn for both axes.</summary>
    public bool KeepAspectRatio { get; }

    /// <inheritdoc />
    public override bool IsRandom => Lower != Upper;

    /// <inheritdoc />
    public override ZoomFactors[] Sample(Random random, int count, int height, int width)
    {
        var factors = new ZoomFactors[count];
        for (int i = 0; i < count; i++)
        {
            double zx = BatchGuard.Uniform(random, Lower, Upper);
            double zy = KeepAspectRatio ? zx : BatchGuard.Uniform(random, Lower, Upper);
            factors[i] = new ZoomFactors(zx, zy);
        }
        return factors;
    }

    /// <inheritdoc />
    public override AffineMatrix GetMatrix(ZoomFactors parameters, int height, int width) => Matrix(parameters, height, width);

    /// <summary>Keras' zoom matrix <c>[[zx, 0], [0, zy]]</c> about the centre, in absolute pixel coordinates.</summary>
    /// <param name="factors">The factors.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    public static AffineMatrix Matrix(ZoomFactors factors, int height, int width) =>
        AffineMatrix.AboutCentre(new AffineMatrix(factors.Rows, 0, 0, 0, factors.Cols, 0), height, width);

    private static double CheckRange(double range)
    {
        if (!double.IsFinite(range) || range < 0 || range >= 1)
            throw new ArgumentOutOfRangeException(nameof(range), range, $"A zoom range must be in [0, 1) (factors 1 − range > 0); got {range}.");
        return range;
    }
}
