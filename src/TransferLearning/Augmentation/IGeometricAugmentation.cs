namespace TransferLearning.Augmentation;

/// <summary>
/// An augmentation that moves pixels by an affine map per image. An <see cref="AugmentationPipeline"/> multiplies the
/// maps of consecutive geometric augmentations and resamples the batch once.
/// </summary>
public interface IGeometricAugmentation : IAugmentation
{
    /// <summary>
    /// How this transform resamples; null when it only moves whole pixels (flips, integer crops) and so fuses with any
    /// neighbour's settings.
    /// </summary>
    Resampling? Resampling { get; }

    /// <summary>The output size for an input of the given size.</summary>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    (int Height, int Width) OutputSize(int height, int width);

    /// <summary>Draws one map per image, each mapping output pixels to input pixels.</summary>
    /// <param name="random">The random source.</param>
    /// <param name="count">The number of images.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    AffineMatrix[] SampleMatrices(Random random, int count, int height, int width);
}
