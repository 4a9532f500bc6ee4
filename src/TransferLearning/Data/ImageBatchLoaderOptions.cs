using Microsoft.Extensions.Logging;
using SkiaSharp;
using TransferLearning.Imaging;

namespace TransferLearning.Data;

/// <summary>
/// Settings every <see cref="ImageBatchLoader"/> has: batch size, decoding, workers, prefetch, bad files, logging.
/// Use <see cref="TrainingLoaderOptions"/> or <see cref="EvaluationLoaderOptions"/>. Copied when the loader is created.
/// </summary>
public abstract class ImageBatchLoaderOptions
{
    private protected ImageBatchLoaderOptions()
    {
    }

    /// <summary>Samples per batch (the last batch may be smaller). Default: 32. Must be positive.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// How files are decoded; <see cref="ImageDecodeOptions.TargetSize"/> must be set (all images of a batch share a
    /// size). Default: a 256 × 256 RGB target with nearest-neighbour resizing, Keras' <c>flow_from_directory</c> defaults.
    /// </summary>
    public ImageDecodeOptions Decode { get; set; } = new() { TargetSize = new SKSizeI(256, 256) };

    /// <summary>
    /// Worker threads that decode batches in parallel. Default: <see cref="Environment.ProcessorCount"/>, at most 8.
    /// Must be positive.
    /// </summary>
    public int WorkerCount { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>
    /// Largest number of batches decoded ahead of the consumer (being decoded or ready), which bounds memory:
    /// about <c>PrefetchBatches × BatchSize × C × H × W × 4</c> bytes. Default: 0, meaning <c>2 × WorkerCount</c>.
    /// Must not be negative. Fewer batches than workers leaves workers idle.
    /// </summary>
    public int PrefetchBatches { get; set; }

    /// <summary>What happens to a file that fails to decode. Default: <see cref="BadFilePolicy.Skip"/> (the batch is one sample smaller).</summary>
    public BadFilePolicy BadFiles { get; set; } = BadFilePolicy.Skip;

    /// <summary>Receives one warning per skipped file. Default: <c>null</c> (no logging).</summary>
    public ILogger? Logger { get; set; }

    internal int EffectivePrefetch => PrefetchBatches == 0 ? 2 * WorkerCount : PrefetchBatches;

    private protected void CopyTo(ImageBatchLoaderOptions copy) => copy.Decode = Decode?.Clone()!;

    internal virtual void Validate(string parameterName)
    {
        if (BatchSize <= 0)
            throw new ArgumentException($"BatchSize must be positive; got {BatchSize}.", parameterName);
        if (WorkerCount <= 0)
            throw new ArgumentException($"WorkerCount must be positive; got {WorkerCount}.", parameterName);
        if (PrefetchBatches < 0)
            throw new ArgumentException($"PrefetchBatches must not be negative; got {PrefetchBatches}.", parameterName);
        if (!Enum.IsDefined(BadFiles))
            throw new ArgumentException($"BadFiles {(int)BadFiles} is not a defined BadFilePolicy.", parameterName);
        if (Decode is null)
            throw new ArgumentException("Decode must not be null.", parameterName);
        if (Decode.TargetSize is null)
            throw new ArgumentException("Decode.TargetSize must be set: every image of a batch needs the same size.", parameterName);
        Decode.Validate(parameterName);
    }
}
