namespace TransferLearning.Augmentation;

/// <summary>
/// Cuts the central <see cref="Height"/>×<see cref="Width"/> region (top-left offsets rounded as torchvision).
/// Deterministic; an image smaller than the crop is padded by the nearest edge pixels. Fuses with neighbouring
/// geometric transforms.
/// </summary>
public sealed class CenterCrop : GeometricAugmentation<CropBox>
{
    /// <summary>Creates the transform.</summary>
    /// <param name="height">Output height, ≥ 1.</param>
    /// <param name="width">Output width, ≥ 1.</param>
    public CenterCrop(int height, int width)
        : base(null)
    {
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, $"The crop height must be >= 1; got {height}.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, $"The crop width must be >= 1; got {width}.");
        Height = height;
        Width = width;
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <inheritdoc />
    public override bool IsRandom => false;

    /// <inheritdoc />
    public override (int Height, int Width) OutputSize(int height, int width) => (Height, Width);

    /// <inheritdoc />
    public override CropBox[] Sample(Random random, int count, int height, int width)
    {
        var box = new CropBox(Math.Round((height - Height) / 2.0, MidpointRounding.ToEven), Math.Round((width - Width) / 2.0, MidpointRounding.ToEven), Height, Width);
        return Enumerable.Repeat(box, count).ToArray();
    }

    /// <inheritdoc />
    public override AffineMatrix GetMatrix(CropBox parameters, int height, int width) => parameters.Matrix(Height, Width);
}
