using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// Base of the built-in geometric transforms: <see cref="Sample"/> draws typed parameters per image (torchvision's
/// <c>make_params</c>, Keras' <c>get_random_transformation</c>), <see cref="GetMatrix"/> turns them into an
/// <see cref="AffineMatrix"/>, and <see cref="Apply(Tensor, IReadOnlyList{TParameters})"/> applies fixed parameters.
/// </summary>
/// <typeparam name="TParameters">The per-image parameters (an angle, a shift, zoom factors, a flip flag, a crop box).</typeparam>
public abstract class GeometricAugmentation<TParameters> : IGeometricAugmentation
{
    /// <summary>Stores the resampling settings (validated).</summary>
    /// <param name="resampling">How to resample; null for transforms that only move whole pixels.</param>
    protected GeometricAugmentation(Resampling? resampling)
    {
        Resampling = resampling?.Validated(nameof(resampling));
    }

    /// <inheritdoc />
    public abstract bool IsRandom { get; }

    /// <inheritdoc />
    public Resampling? Resampling { get; }

    /// <summary>Draws the parameters of <paramref name="count"/> images from <paramref name="random"/>.</summary>
    /// <param name="random">The random source.</param>
    /// <param name="count">The number of images.</param>
    /// <param name="height">Input image height (used by size-relative parameters).</param>
    /// <param name="width">Input image width.</param>
    public abstract TParameters[] Sample(Random random, int count, int height, int width);

    /// <summary>The map from output pixels to input pixels for one image's parameters.</summary>
    /// <param name="parameters">The image's parameters.</param>
    /// <param name="height">Input image height.</param>
    /// <param name="width">Input image width.</param>
    public abstract AffineMatrix GetMatrix(TParameters parameters, int height, int width);

    /// <inheritdoc />
    public virtual (int Height, int Width) OutputSize(int height, int width) => (height, width);

    /// <inheritdoc />
    public AffineMatrix[] SampleMatrices(Random random, int count, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(random);
        var parameters = Sample(random, count, height, width);
        var matrices = new AffineMatrix[count];
        for (int i = 0; i < count; i++) matrices[i] = GetMatrix(parameters[i], height, width);
        return matrices;
    }

    /// <inheritdoc />
    public Tensor Apply(Tensor batch, Random random)
    {
        BatchGuard.Check(batch, nameof(batch));
        ArgumentNullException.ThrowIfNull(random);
        return Apply(batch, Sample(random, (int)batch.shape[0], (int)batch.shape[2], (int)batch.shape[3]));
    }

    /// <summary>Applies fixed parameters, one per image, with one resample of the batch.</summary>
    /// <param name="batch">Float32 N×C×H×W, values 0..255; not modified.</param>
    /// <param name="parameters">One entry per image.</param>
    /// <returns>A new tensor owned by the caller.</returns>
    public Tensor Apply(Tensor batch, IReadOnlyList<TParameters> parameters)
    {
        BatchGuard.Check(batch, nameof(batch));
        BatchGuard.CheckCount(parameters, batch, nameof(parameters));
        TorchNative.EnsureLoaded();
        int height = (int)batch.shape[2], width = (int)batch.shape[3];
        var matrices = new AffineMatrix[parameters.Count];
        for (int i = 0; i < matrices.Length; i++) matrices[i] = GetMatrix(parameters[i], height, width);
        var (outHeight, outWidth) = OutputSize(height, width);
        return AffineResampler.Resample(batch, matrices, outHeight, outWidth, Resampling ?? Augmentation.Resampling.Default);
    }
}
