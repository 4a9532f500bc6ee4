namespace TransferLearning.Augmentation;

/// <summary>
/// Shears each image by an angle drawn uniformly from [−<see cref="Degrees"/>, +<see cref="Degrees"/>] about the
/// centre (Keras' <c>shear_range</c>, in degrees; Keras' matrix <c>[[1, −sin s], [0, cos s]]</c>).
/// </summary>
public sealed class RandomShear : GeometricAugmentation<double>
{
    /// <summary>Creates the transform.</summary>
    /// <param name="degrees">The shear range in degrees, ≥ 0.</param>
    /// <param name="resampling">Interpolation and fill; <see cref="Augmentation.Resampling.Default"/> when null.</param>
    public RandomShear(double degrees, Resampling? resampling = null)
        : base(resampling ?? Augmentation.Resampling.Default)
    {
        Degrees = BatchGuard.NonNegative(degrees, nameof(degrees));
    }

    /// <summary>The shear range in degrees.</summary>
    public double Degrees { get; }

    /// <inheritdoc />
    public override bool IsRandom => Degrees != 0;

    /// <inheritdoc />
    public override double[] Sample(Random random, int count, int height, int width)
    {
        var angles = new double[count];
        for (int i = 0; i < count; i++) angles[i] = BatchGuard.Uniform(random, -Degrees, Degrees);
        return angles;
    }

    /// <inheritdoc />
    public override AffineMatrix GetMatrix(double parameters, int height, int width) => Matrix(parameters, height, width);

    /// <summary>Keras' shear matrix about the centre, in absolute pixel coordinates.</summary>
    /// <param name="degrees">The shear angle.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    public static AffineMatrix Matrix(double degrees, int height, int width)
    {
        double s = degrees * Math.PI / 180.0;
        return AffineMatrix.AboutCentre(new AffineMatrix(1, -Math.Sin(s), 0, 0, Math.Cos(s), 0), height, width);
    }
}
