namespace TransferLearning.Augmentation;

/// <summary>
/// torchvision's <c>RandomResizedCrop</c>: a box whose area is a fraction in [<see cref="MinScale"/>,
/// <see cref="MaxScale"/>] of the image and whose aspect ratio is log-uniform in [<see cref="MinRatio"/>,
/// <see cref="MaxRatio"/>] (10 tries, then the central crop of the nearest allowed ratio), resized to
/// <see cref="Height"/>×<see cref="Width"/>. The resize is part of the fused resample (no antialiasing).
/// </summary>
public sealed class RandomResizedCrop : GeometricAugmentation<CropBox>
{
    /// <summary>Creates the transform.</summary>
    /// <param name="height">Output height, ≥ 1.</param>
    /// <param name="width">Output width, ≥ 1.</param>
    /// <param name="minScale">Smallest area fraction; 0.08 by default.</param>
    /// <param name="maxScale">Largest area fraction; 1 by default.</param>
    /// <param name="minRatio">Smallest width/height ratio; 3/4 by default.</param>
    /// <param name="maxRatio">Largest width/height ratio; 4/3 by default.</param>
    /// <param name="resampling">Interpolation and fill; <see cref="Augmentation.Resampling.Default"/> when null.</param>
    public RandomResizedCrop(int height, int width, double minScale = 0.08, double maxScale = 1.0,
        double minRatio = 3.0 / 4.0, double maxRatio = 4.0 / 3.0, Resampling? resampling = null)
        : base(resampling ?? Augmentation.Resampling.Default)
    {
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, $"The output height must be >= 1; got {height}.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, $"The output width must be >= 1; got {width}.");
        BatchGuard.Range(minScale, maxScale, nameof(minScale), nameof(maxScale));
        if (minScale <= 0 || maxScale > 1)
            throw new ArgumentOutOfRangeException(nameof(minScale), (minScale, maxScale), $"The area fractions must lie in (0, 1]; got [{minScale}, {maxScale}].");
        BatchGuard.Range(minRatio, maxRatio, nameof(minRatio), nameof(maxRatio));
        if (minRatio <= 0)
            throw new ArgumentOutOfRangeException(nameof(minRatio), minRatio, $"Aspect ratios must be > 0; got {minRatio}.");
        (Height, Width, MinScale, MaxScale, MinRatio, MaxRatio) = (height, width, minScale, maxScale, minRatio, maxRatio);
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Smallest area fraction.</summary>
    public double MinScale { get; }

    /// <summary>Largest area fraction.</summary>
    public double MaxScale { get; }

    /// <summary>Smallest width/height ratio.</summary>
    public double MinRatio { get; }

    /// <summary>Largest width/height ratio.</summary>
    public double MaxRatio { get; }

    /// <inheritdoc />
    public override bool IsRandom => true;

    /// <inheritdoc />
    public override (int Height, int Width) OutputSize(int height, int width) => (Height, Width);

    /// <inheritdoc />
    public override CropBox[] Sample(Random random, int count, int height, int width)
    {
        var boxes = new CropBox[count];
        for (int i = 0; i < count; i++) boxes[i] = SampleOne(random, height, width);
        return boxes;
    }

    /// <inheritdoc />
    public override AffineMatrix GetMatrix(CropBox parameters, int height, int width) => parameters.Matrix(Height, Width);

    private CropBox SampleOne(Random random, int height, int width)
    {
        double area = (double)height * width;
        double logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * BatchGuard.Uniform(random, MinScale, MaxScale);
            double ratio = Math.Exp(BatchGuard.Uniform(random, logMin, logMax));
            int w = (int)Math.Round(Math.Sqrt(target * ratio));
            int h = (int)Math.Round(Math.Sqrt(target / ratio));
            if (w > 0 && h > 0 && w <= width && h <= height)
            {
                int top = random.Next(0, height - h + 1);
                int left = random.Next(0, width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        double inRatio = (double)width / height;
        int cw = width, ch = height;
        if (inRatio < MinRatio) ch = (int)Math.Round(cw / MinRatio);
        else if (inRatio > MaxRatio) cw = (int)Math.Round(ch * MaxRatio);
        return new CropBox((height - ch) / 2, (width - cw) / 2, ch, cw);
    }
}
