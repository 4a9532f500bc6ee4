using Microsoft.ML.OnnxRuntime;

namespace TransferLearning.OnnxRuntime;

/// <summary>How an <see cref="OnnxImageClassifier"/> runs. The values are copied when the classifier is created.</summary>
public sealed class OnnxClassifierOptions
{
    /// <summary>Images per ONNX Runtime call (files are decoded and run in chunks of this size). Default 16.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>How many images of a chunk are decoded at once. Default <see cref="Environment.ProcessorCount"/>.</summary>
    public int DecodeParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// ONNX Runtime's session settings, for example an execution provider
    /// (<c>AppendExecutionProvider_CUDA()</c>, <c>AppendExecutionProvider_DML()</c> with the matching ONNX Runtime
    /// package) or thread counts. Default <c>null</c>: ONNX Runtime's defaults on the CPU. Used while the classifier
    /// is created; the caller keeps ownership and may dispose it afterwards.
    /// </summary>
    public SessionOptions? SessionOptions { get; set; }

    internal OnnxClassifierOptions Validated()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"OnnxClassifierOptions.BatchSize must be >= 1; got {BatchSize}.");
        if (DecodeParallelism < 1) throw new ArgumentOutOfRangeException(nameof(DecodeParallelism), DecodeParallelism, $"OnnxClassifierOptions.DecodeParallelism must be >= 1; got {DecodeParallelism}.");
        return (OnnxClassifierOptions)MemberwiseClone();
    }
}
