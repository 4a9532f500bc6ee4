using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// In-place samplewise centring of a contiguous float32 CPU batch the pipeline owns: one vectorised pass for each
/// image's sum (accumulated in float64 per block), one to subtract, images split across
/// <c>torch.get_num_threads()</c> workers. Same result as <c>x − mean(x)</c> to float32 rounding.
/// </summary>
internal static unsafe class ManagedSamplewise
{
    public static bool CanRun(Tensor batch) =>
        batch.device_type == DeviceType.CPU && batch.dtype == ScalarType.Float32 && batch.is_contiguous();

    public static void CenterInPlace(Tensor batch)
    {
        int n = (int)batch.shape[0];
        long size = batch.numel() / Math.Max(1, n);
        if (n == 0 || size == 0) return;
        float* data;
        fixed (byte* p = batch.bytes) data = (float*)p;
        int workers = Math.Max(1, Math.Min(get_num_threads(), Environment.ProcessorCount));
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = workers }, i => CenterOne(data + i * size, size));
        GC.KeepAlive(batch);
    }

    // Fully optimised from its first call: a loader's first epoch would otherwise run it at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CenterOne(float* x, long size)
    {
        int width = Vector<float>.Count;
        double total = 0;
        long i = 0;
        const int Block = 4096;
        while (i + width <= size)
        {
            var acc = Vector<float>.Zero;
            long end = Math.Min(size - width + 1, i + Block);
            for (; i < end; i += width) acc += *(Vector<float>*)(x + i);
            total += Vector.Sum(acc);
        }
        for (; i < size; i++) total += x[i];
        float mean = (float)(total / size);
        var m = new Vector<float>(mean);
        i = 0;
        for (; i + width <= size; i += width) *(Vector<float>*)(x + i) -= m;
        for (; i < size; i++) x[i] -= mean;
    }
}
