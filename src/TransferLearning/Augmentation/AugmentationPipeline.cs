using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// Applies augmentations in order. Consecutive <see cref="IGeometricAugmentation"/>s with compatible resampling
/// settings are fused: their per-image maps are multiplied into one matrix and the batch is resampled once.
/// Any <see cref="IAugmentation"/>, a user's own included, composes with the built-ins.
/// </summary>
/// <remarks>
/// Parameters are drawn transform by transform, each drawing one value per image in batch order, from the one
/// <see cref="Random"/> passed to <see cref="Apply"/>; the same seed gives the same batch.
/// </remarks>
public sealed class AugmentationPipeline : IAugmentation
{
    private readonly IAugmentation[] steps;

    /// <summary>Creates a pipeline; the list is copied.</summary>
    /// <param name="steps">The augmentations in the order they run.</param>
    public AugmentationPipeline(params IAugmentation[] steps)
        : this((IEnumerable<IAugmentation>)steps)
    {
    }

    /// <summary>Creates a pipeline; the sequence is copied.</summary>
    /// <param name="steps">The augmentations in the order they run.</param>
    public AugmentationPipeline(IEnumerable<IAugmentation> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        this.steps = steps.ToArray();
        for (int i = 0; i < this.steps.Length; i++)
            if (this.steps[i] is null) throw new ArgumentException($"Step {i} is null.", nameof(steps));
    }

    /// <summary>The augmentations in the order they run.</summary>
    public IReadOnlyList<IAugmentation> Steps => steps;

    /// <inheritdoc />
    public bool IsRandom => steps.Any(s => s.IsRandom);

    /// <summary>Whether consecutive geometric steps share one resample (internal switch for benchmarks).</summary>
    internal bool FuseGeometric { get; init; } = true;

    /// <summary>Which resampler runs (internal switch for tests and benchmarks).</summary>
    internal ResamplerEngine Engine { get; init; } = ResamplerEngine.Auto;

    /// <summary>Builds a pipeline from Keras' <c>ImageDataGenerator</c> arguments; see <see cref="KerasImageDataGenerator"/>.</summary>
    /// <param name="generator">The Keras-style arguments (read once; later changes have no effect).</param>
    public static AugmentationPipeline FromKeras(KerasImageDataGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return generator.ToPipeline();
    }

    /// <inheritdoc />
    public Tensor Apply(Tensor batch, Random random) => Run(batch, random, batchIsOwned: false);

    /// <summary>
    /// <see cref="Apply"/> for a caller that owns <paramref name="batch"/> and gives it up (the loader's freshly decoded
    /// batch): in-place steps (centring, scaling) may then work on it directly instead of on a copy. Returns either
    /// <paramref name="batch"/> itself, changed in place, or a new tensor; in the latter case the caller still disposes
    /// <paramref name="batch"/>.
    /// </summary>
    internal Tensor ApplyToOwned(Tensor batch, Random random) => Run(batch, random, batchIsOwned: true);

    private Tensor Run(Tensor batch, Random random, bool batchIsOwned)
    {
        BatchGuard.Check(batch, nameof(batch));
        ArgumentNullException.ThrowIfNull(random);
        TorchNative.EnsureLoaded();
        using var scope = NewDisposeScope();
        Tensor current = batch;
        // Whether current is a fresh tensor only this pipeline sees (not a user step's output, which may be a view).
        bool owned = batchIsOwned && batch.is_contiguous();
        int i = 0;
        while (i < steps.Length)
        {
            Tensor next;
            if (steps[i] is IGeometricAugmentation && FuseGeometric)
            {
                int end = ChainEnd(i, out var resampling);
                next = ApplyChain(current, i, end, resampling, random);
                i = end;
                owned = true;
            }
            else if (steps[i] is IGeometricAugmentation geometric)
            {
                next = ApplyChain(current, i, i + 1, geometric.Resampling ?? Resampling.Default, random);
                i++;
                owned = true;
            }
            else if (steps[i] is IInPlaceAugmentation inPlace && owned)
            {
                inPlace.ApplyInPlace(current); // current is an intermediate only this pipeline sees
                i++;
                continue;
            }
            else
            {
                next = steps[i].Apply(current, random);
                if (next is null || ReferenceEquals(next, current) || next.Handle == current.Handle)
                    throw new InvalidOperationException($"Step {i} ({steps[i].GetType().Name}) returned its input; IAugmentation.Apply must return a new tensor.");
                owned = IsBuiltIn(steps[i]);
                i++;
            }
            if (!ReferenceEquals(current, batch)) current.Dispose();
            current = next;
        }
        if (ReferenceEquals(current, batch))
            return batchIsOwned ? batch : batch.clone().MoveToOuterDisposeScope();
        return current.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Splits off the leading run of geometric steps that <see cref="Apply"/> would fuse into one resample (for the
    /// loader, which folds them into the decode-time resize), or returns null when the pipeline does not start with
    /// one, fusion is off, or a leading step changes the size of a <paramref name="height"/> × <paramref name="width"/> image.
    /// </summary>
    internal GeometricPrefix? SplitGeometricPrefix(int height, int width)
    {
        if (!FuseGeometric || steps.Length == 0 || steps[0] is not IGeometricAugmentation)
            return null;
        int end = ChainEnd(0, out var resampling);
        var prefix = new IGeometricAugmentation[end];
        for (int s = 0; s < end; s++)
        {
            prefix[s] = (IGeometricAugmentation)steps[s];
            if (prefix[s].OutputSize(height, width) != (height, width))
                return null;
        }
        var rest = end < steps.Length ? new AugmentationPipeline(steps.Skip(end)) { FuseGeometric = FuseGeometric, Engine = Engine } : null;
        return new GeometricPrefix(prefix, resampling, rest);
    }

    /// <summary>Built-in steps (other than pipelines, which may end with a user's step) always return fresh tensors.</summary>
    private static bool IsBuiltIn(IAugmentation step) =>
        step is not AugmentationPipeline && step.GetType().Assembly == typeof(AugmentationPipeline).Assembly;

    /// <summary>The end (exclusive) of the run of fusable geometric steps starting at <paramref name="start"/>.</summary>
    private int ChainEnd(int start, out Resampling resampling)
    {
        Resampling? chosen = null;
        int end = start;
        while (end < steps.Length && steps[end] is IGeometricAugmentation g)
        {
            if (g.Resampling is { } r)
            {
                if (chosen is { } c && c != r) break;
                chosen = r;
            }
            end++;
        }
        resampling = chosen ?? Resampling.Default;
        return end;
    }

    private Tensor ApplyChain(Tensor batch, int start, int end, Resampling resampling, Random random)
    {
        int n = (int)batch.shape[0], height = (int)batch.shape[2], width = (int)batch.shape[3];
        var matrices = new AffineMatrix[n];
        Array.Fill(matrices, AffineMatrix.Identity);
        for (int s = start; s < end; s++)
        {
            var g = (IGeometricAugmentation)steps[s];
            var step = g.SampleMatrices(random, n, height, width);
            if (step.Length != n)
                throw new InvalidOperationException($"Step {s} ({g.GetType().Name}) returned {step.Length} matrices for {n} images.");
            for (int k = 0; k < n; k++) matrices[k] = matrices[k].Then(step[k]);
            (height, width) = g.OutputSize(height, width);
        }
        if (height == batch.shape[2] && width == batch.shape[3] && matrices.All(m => m.IsIdentity))
            return batch.clone();
        return AffineResampler.Resample(batch, matrices, height, width, resampling, Engine);
    }
}
