namespace TransferLearning.Augmentation;

/// <summary>Which implementation resamples a batch (internal: tests and benchmarks compare them).</summary>
internal enum ResamplerEngine
{
    /// <summary>The managed kernel for contiguous CPU tensors, libtorch's grid_sample elsewhere.</summary>
    Auto,

    /// <summary>A sampling grid built from the matrices, then one libtorch grid_sample (any device).</summary>
    GridSample,

    /// <summary>The managed multi-threaded kernel (CPU only).</summary>
    Managed,
}
