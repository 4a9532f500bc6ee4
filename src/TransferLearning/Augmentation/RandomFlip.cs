namespace TransferLearning.Augmentation;

/// <summary>
/// Mirrors each image with probability <see cref="Probability"/> (0.5 by default, as Keras' <c>horizontal_flip</c> /
/// <c>vertical_flip</c>). Its map moves whole pixels, so it fuses with any neighbouring geometric transform.
/// </summary>
public sealed class RandomFlip : GeometricAugmentation<bool>
{
    /// <summary>Creates the transform.</summary>
    /// <param name="direction">The axis to mirror.</param>
    /// <param name="probability">The chance that an image is flipped, in [0, 1]; 0.5 by default.</param>
    public RandomFlip(FlipDirection direction, double probability = 0.5)
        : base(null)
    {
        if (!Enum.IsDefined(direction)) throw new ArgumentOutOfRangeException(nameof(direction), direction, $"Unknown flip direction {(int)direction}.");
        if (!double.IsFinite(probability) || probability < 0 || probability > 1)
            throw new ArgumentOutOfRangeException(nameof(probability), probability, $"The flip probability must be in [0, 1]; got {probability}.");
        Direction = direction;
        Probability = probability;
    }

    /// <summary>The axis mirrored.</summary>
    public FlipDirection Direction { get; }

    /// <summary>The chance that an image is flipped.</summary>
    public double Probability { get; }

    /// <inheritdoc />
    public override bool IsRandom => Probability > 0 && Probability < 1;

    /// <inheritdoc />
    public override bool[] Sample(Random random, int count, int height, int width)
    {
        var flips = new bool[count];
        for (int i = 0; i < count; i++) flips[i] = random.NextDouble() < Probability;
        return flips;
    }

    /// <inheritdoc />
    public override AffineMatrix GetMatrix(bool parameters, int height, int width) => Matrix(Direction, parameters, height, width);

    /// <summary>The mirror map (<c>col → w − 1 − col</c> or <c>row → h − 1 − row</c>), or the identity when not flipped.</summary>
    /// <param name="direction">The axis.</param>
    /// <param name="flip">Whether to flip.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    public static AffineMatrix Matrix(FlipDirection direction, bool flip, int height, int width) => !flip
        ? AffineMatrix.Identity
        : direction == FlipDirection.Horizontal
            ? new AffineMatrix(1, 0, 0, 0, -1, width - 1)
            : new AffineMatrix(-1, 0, height - 1, 0, 1, 0);
}
