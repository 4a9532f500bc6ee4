namespace TransferLearning.Tests.Support;

/// <summary>The process's resident set and live tensors, read after finalizers have run.</summary>
internal static class ResidentMemory
{
    /// <summary>
    /// Resident set size in bytes (<c>/proc/self/statm</c> on Linux, the working set elsewhere), after a full compacting
    /// GC (large object heap included) so that freed managed buffers, such as a parsed ONNX file, are not counted.
    /// </summary>
    public static long Bytes()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        if (OperatingSystem.IsLinux())
        {
            string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1]) * Environment.SystemPageSize;
        }
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>Runs the GC and the finalizers twice, then returns <c>Tensor.TotalCount</c>.</summary>
    public static long SettledTensorCount()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return TorchSharp.torch.Tensor.TotalCount;
    }

    /// <summary>
    /// Tensors created and not yet disposed on this thread, once finalizers have run. Unlike <c>Tensor.TotalCount</c>,
    /// this does not count the husk TorchSharp leaves behind when a <c>Parameter</c> takes over a tensor's handle
    /// (<c>new Parameter(t)</c> leaves <c>t</c> invalid but counted in <c>TotalCount</c> forever: one per parameter of
    /// every layer ever built, with no native memory behind it). A tensor dropped to the GC instead of disposed stays
    /// counted here (the finalizer thread frees it), so the count is also a check that nothing relies on the GC.
    /// </summary>
    public static long SettledLiveTensorsOnThisThread()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
    }

    /// <summary>Megabytes, for messages.</summary>
    public static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):F0} MB";
}
