namespace TransferLearning.Augmentation;

/// <summary>
/// Rotates each image by an angle drawn uniformly from [<see cref="MinDegrees"/>, <see cref="MaxDegrees"/>] about the
/// image centre (Keras' <c>rotation_range</c>; positive angles turn the content counter-clockwise, as Keras).
/// </summary>
public sealed class RandomRotation : GeometricAugmentation<double>
{
    /// <summary>Angles drawn from [−<paramref name="degrees"/>, +<paramref name="degrees"/>] (Keras' <c>rotation_range</c>).</summary>
    /// <param name="degrees">The range in degrees, ≥ 0.</param>
    /// <param name="resampling">Interpolation and fill; <see cref="Augmentation.Resampling.Default"/> when null.</param>
    public RandomRotation(double degrees, Resampling? resampling = null)
        : this(-BatchGuard.NonNegative(degrees, nameof(degrees)), degrees, resampling)
    {
    }

    /// <summary>Angles drawn from [<paramref name="minDegrees"/>, <paramref name="maxDegrees"/>].</summary>
    /// <param name="minDegrees">Lower bound in degrees.</param>
    /// <param name="maxDegrees">Upper bound in degrees, ≥ <paramref name="minDegrees"/>.</param>
    /// <param name="resampling">Interpolation and fill; <see cref="Augmentation.Resampling.Default"/> when null.</param>
    public RandomRotation(double minDegrees, double maxDegrees, Resampling? resampling = null)
        : base(resampling ?? Augmentation.Resampling.Default)
    {
        BatchGuard.Range(minDegrees, maxDegrees, nameof(minDegrees), nameof(maxDegrees));
        MinDegrees = minDegrees;
        MaxDegrees = maxDegrees;
    }

    /// <summary>Lower bound of the angle in degrees.</summary>
    public double MinDegrees { get; }

    /// <summary>Upper bound of the angle in degrees.</summary>
    public double MaxDegrees { get; }

    /// <inheritdoc />
    public override bool IsRandom => MinDegrees != MaxDegrees;

    /// <inheritdoc />
    public override double[] Sample(Random random, int count, int height, int width)
    {
        var angles = new double[count];
        for (int i = 0; i < count; i++) angles[i] = BatchGuard.Uniform(random, MinDegrees, MaxDegrees);
        return angles;
    }

    /// <inheritdoc />
    public override AffineMatrix GetMatrix(double parameters, int height, int width) => Matrix(parameters, height, width);

    /// <summary>Keras' rotation matrix <c>[[cos, −sin], [sin, cos]]</c> about the centre, in absolute pixel coordinates.</summary>
    /// <param name="degrees">The angle.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    public static AffineMatrix Matrix(double degrees, int height, int width)
    {
        double t = degrees * Math.PI / 180.0, cos = Math.Cos(t), sin = Math.Sin(t);
        return AffineMatrix.AboutCentre(new AffineMatrix(cos, -sin, 0, sin, cos, 0), height, width);
    }
}
