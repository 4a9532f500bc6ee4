using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// Base of the built-in random pixel-value transforms: <see cref="Sample"/> draws typed parameters per image,
/// <see cref="Apply(Tensor, IReadOnlyList{TParameters})"/> applies fixed ones with tensor operations on the batch's device.
/// </summary>
/// <typeparam name="TParameters">The per-image parameters (a factor, an intensity, a noise seed).</typeparam>
public abstract class PhotometricAugmentation<TParameters> : IAugmentation
{
    /// <inheritdoc />
    public abstract bool IsRandom { get; }

    /// <summary>Draws the parameters of <paramref name="count"/> images from <paramref name="random"/>.</summary>
    /// <param name="random">The random source.</param>
    /// <param name="count">The number of images.</param>
    public abstract TParameters[] Sample(Random random, int count);

    /// <inheritdoc />
    public Tensor Apply(Tensor batch, Random random)
    {
        BatchGuard.Check(batch, nameof(batch));
        ArgumentNullException.ThrowIfNull(random);
        return Apply(batch, Sample(random, (int)batch.shape[0]));
    }

    /// <summary>Applies fixed parameters, one per image.</summary>
    /// <param name="batch">Float32 N×C×H×W, values 0..255; not modified.</param>
    /// <param name="parameters">One entry per image.</param>
    /// <returns>A new tensor owned by the caller.</returns>
    public Tensor Apply(Tensor batch, IReadOnlyList<TParameters> parameters)
    {
        BatchGuard.Check(batch, nameof(batch));
        BatchGuard.CheckCount(parameters, batch, nameof(parameters));
        TorchNative.EnsureLoaded();
        using var scope = NewDisposeScope();
        return Transform(batch, parameters).MoveToOuterDisposeScope();
    }

    /// <summary>Computes the output inside a dispose scope the base class owns (so temporaries are freed).</summary>
    /// <param name="batch">The validated batch; must not be modified or returned as is.</param>
    /// <param name="parameters">One entry per image (count checked).</param>
    protected abstract Tensor Transform(Tensor batch, IReadOnlyList<TParameters> parameters);

    /// <summary>One value per image as an N×1×1×1 float32 tensor on the batch's device.</summary>
    /// <param name="values">The values.</param>
    /// <param name="batch">The batch whose device is used.</param>
    protected static Tensor PerImage(IReadOnlyList<double> values, Tensor batch)
    {
        var data = new float[values.Count];
        for (int i = 0; i < data.Length; i++) data[i] = (float)values[i];
        return tensor(data, new long[] { data.Length, 1, 1, 1 }, ScalarType.Float32, batch.device);
    }
}
