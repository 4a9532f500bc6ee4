namespace TransferLearning.Augmentation;

/// <summary>
/// The leading geometric steps of an <see cref="AugmentationPipeline"/>, split off so that a decoder can apply them in
/// the same resample as its resize, and the steps that follow. Sampling draws exactly what
/// <see cref="AugmentationPipeline.Apply"/> would draw for those steps, from the same <see cref="Random"/>, so running
/// <see cref="SampleMatrices"/> then <see cref="Rest"/> on one <see cref="Random"/> gives the tensor path's parameters.
/// </summary>
internal sealed class GeometricPrefix
{
    private readonly IGeometricAugmentation[] _steps;

    internal GeometricPrefix(IGeometricAugmentation[] steps, Resampling resampling, AugmentationPipeline? rest)
    {
        _steps = steps;
        Resampling = resampling;
        Rest = rest;
    }

    /// <summary>The resampling settings the fused steps share (as the pipeline's fused resample would use).</summary>
    public Resampling Resampling { get; }

    /// <summary>The steps after the prefix, or null when there are none.</summary>
    public AugmentationPipeline? Rest { get; }

    /// <summary>Number of fused steps.</summary>
    public int Count => _steps.Length;

    /// <summary>One composed map per image (output pixel → input pixel, Keras' order), drawn step by step as the pipeline does.</summary>
    public AffineMatrix[] SampleMatrices(Random random, int count, int height, int width)
    {
        var matrices = new AffineMatrix[count];
        Array.Fill(matrices, AffineMatrix.Identity);
        foreach (var g in _steps)
        {
            var step = g.SampleMatrices(random, count, height, width);
            if (step.Length != count)
                throw new InvalidOperationException($"{g.GetType().Name} returned {step.Length} matrices for {count} images.");
            for (int k = 0; k < count; k++) matrices[k] = matrices[k].Then(step[k]);
        }
        return matrices;
    }
}
