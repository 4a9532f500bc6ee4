using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// The CPU resampler: one pass over the output, source coordinates computed in float64 from the matrix (no grid in
/// memory), scipy's boundary rules, bilinear weights shared by all channels, rows split across
/// <c>torch.get_num_threads()</c> workers.
/// </summary>
internal static unsafe class ManagedAffineKernel
{
    public static Tensor Resample(Tensor batch, IReadOnlyList<AffineMatrix> matrices, int outHeight, int outWidth, Resampling resampling)
    {
        using var scope = NewDisposeScope();
        var input = batch.is_contiguous() ? batch : batch.contiguous();
        int n = (int)input.shape[0], channels = (int)input.shape[1], height = (int)input.shape[2], width = (int)input.shape[3];
        var output = empty(new long[] { n, channels, outHeight, outWidth }, ScalarType.Float32);
        if (n == 0 || outHeight == 0 || outWidth == 0) return output.MoveToOuterDisposeScope();

        var job = new Job
        {
            Source = Pointer(input),
            Destination = Pointer(output),
            Channels = channels,
            Height = height,
            Width = width,
            OutHeight = outHeight,
            OutWidth = outWidth,
            FillValue = (float)resampling.FillValue,
            Matrices = matrices.ToArray(),
        };

        // Chunks of rows, a few per worker so uneven neighbours balance out.
        int workers = Math.Max(1, Math.Min(get_num_threads(), Environment.ProcessorCount));
        long totalRows = (long)n * outHeight;
        int chunkRows = (int)Math.Max(8, totalRows / (workers * 8L));
        int chunks = (int)((totalRows + chunkRows - 1) / chunkRows);
        var run = Select(resampling);
        if (workers == 1 || chunks == 1)
        {
            for (int c = 0; c < chunks; c++) RunChunk(job, run, c, chunkRows, totalRows);
        }
        else
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = workers },
                c => RunChunk(job, run, c, chunkRows, totalRows));
        }
        GC.KeepAlive(input);
        return output.MoveToOuterDisposeScope();
    }

    private static float* Pointer(Tensor t)
    {
        fixed (byte* p = t.bytes) return (float*)p;
    }

    private static void RunChunk(Job job, delegate*<Job, int, int, void> run, int chunk, int chunkRows, long totalRows)
    {
        long start = (long)chunk * chunkRows;
        long end = Math.Min(totalRows, start + chunkRows);
        for (long r = start; r < end; r++)
            run(job, (int)(r / job.OutHeight), (int)(r % job.OutHeight));
    }

    private static delegate*<Job, int, int, void> Select(Resampling resampling) => (resampling.Interpolation, resampling.FillMode) switch
    {
        (Interpolation.Bilinear, FillMode.Nearest) => &BilinearRow<ClampMap>,
        (Interpolation.Bilinear, FillMode.Constant) => &BilinearRow<ConstantMap>,
        (Interpolation.Bilinear, FillMode.Reflect) => &BilinearRow<ReflectMap>,
        (Interpolation.Bilinear, FillMode.Wrap) => &BilinearRow<WrapMap>,
        (Interpolation.Nearest, FillMode.Nearest) => &NearestRow<ClampMap>,
        (Interpolation.Nearest, FillMode.Constant) => &NearestRow<ConstantMap>,
        (Interpolation.Nearest, FillMode.Reflect) => &NearestRow<ReflectMap>,
        (Interpolation.Nearest, FillMode.Wrap) => &NearestRow<WrapMap>,
        _ => throw new ArgumentOutOfRangeException(nameof(resampling), resampling, "Unknown interpolation or fill mode."),
    };

    private static void BilinearRow<TMap>(Job job, int image, int row) where TMap : struct, ICoordinateMap
    {
        var m = job.Matrices[image];
        int h = job.Height, w = job.Width, ow = job.OutWidth, channels = job.Channels;
        long plane = (long)h * w, outPlane = (long)job.OutHeight * ow;
        float* src = job.Source + image * channels * plane;
        float* dst = job.Destination + image * channels * outPlane + (long)row * ow;
        double rowBase = m.M00 * row + m.M02, colBase = m.M10 * row + m.M12;
        for (int c = 0; c < ow; c++)
        {
            double y = rowBase + m.M01 * c;
            double x = colBase + m.M11 * c;
            if (!TMap.Map(ref y, h) || !TMap.Map(ref x, w))
            {
                for (int ch = 0; ch < channels; ch++) dst[ch * outPlane + c] = job.FillValue;
                continue;
            }
            double fy0 = Math.Floor(y), fx0 = Math.Floor(x);
            int y0 = (int)fy0, x0 = (int)fx0;
            float wy = (float)(y - fy0), wx = (float)(x - fx0);
            int y1 = Clamp(y0 + 1, h), x1 = Clamp(x0 + 1, w);
            y0 = Clamp(y0, h); x0 = Clamp(x0, w);
            long i00 = (long)y0 * w + x0, i01 = (long)y0 * w + x1, i10 = (long)y1 * w + x0, i11 = (long)y1 * w + x1;
            for (int ch = 0; ch < channels; ch++)
            {
                float* p = src + ch * plane;
                float top = p[i00] + (p[i01] - p[i00]) * wx;
                float bottom = p[i10] + (p[i11] - p[i10]) * wx;
                dst[ch * outPlane + c] = top + (bottom - top) * wy;
            }
        }
    }

    private static void NearestRow<TMap>(Job job, int image, int row) where TMap : struct, ICoordinateMap
    {
        var m = job.Matrices[image];
        int h = job.Height, w = job.Width, ow = job.OutWidth, channels = job.Channels;
        long plane = (long)h * w, outPlane = (long)job.OutHeight * ow;
        float* src = job.Source + image * channels * plane;
        float* dst = job.Destination + image * channels * outPlane + (long)row * ow;
        double rowBase = m.M00 * row + m.M02, colBase = m.M10 * row + m.M12;
        for (int c = 0; c < ow; c++)
        {
            double y = rowBase + m.M01 * c;
            double x = colBase + m.M11 * c;
            if (!TMap.Map(ref y, h) || !TMap.Map(ref x, w))
            {
                for (int ch = 0; ch < channels; ch++) dst[ch * outPlane + c] = job.FillValue;
                continue;
            }
            int yi = Clamp((int)Math.Floor(y + 0.5), h), xi = Clamp((int)Math.Floor(x + 0.5), w);
            long i = (long)yi * w + xi;
            for (int ch = 0; ch < channels; ch++) dst[ch * outPlane + c] = src[ch * plane + i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Clamp(int i, int length) => i < 0 ? 0 : i >= length ? length - 1 : i;

    private sealed class Job
    {
        public float* Source;
        public float* Destination;
        public int Channels, Height, Width, OutHeight, OutWidth;
        public float FillValue;
        public AffineMatrix[] Matrices = Array.Empty<AffineMatrix>();
    }

    /// <summary>Maps a source coordinate by a fill mode's rule; false when the point takes the fill value.</summary>
    private interface ICoordinateMap
    {
        static abstract bool Map(ref double x, int length);
    }

    private struct ClampMap : ICoordinateMap
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Map(ref double x, int length)
        {
            if (x < 0) x = 0;
            else if (x > length - 1) x = length - 1;
            return true;
        }
    }

    private struct ConstantMap : ICoordinateMap
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Map(ref double x, int length) => x >= 0 && x <= length - 1;
    }

    private struct ReflectMap : ICoordinateMap
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Map(ref double x, int length)
        {
            if (x >= 0 && x <= length - 1) return true;
            if (length <= 1) { x = 0; return true; }
            double period = 2.0 * length;
            if (x < 0)
            {
                if (x < -period) x += period * Math.Truncate(-x / period);
                x = x < -length ? x + period : -x - 1;
            }
            else
            {
                x -= period * Math.Truncate(x / period);
                if (x >= length) x = period - x - 1;
            }
            return true;
        }
    }

    private struct WrapMap : ICoordinateMap
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Map(ref double x, int length)
        {
            if (x >= 0 && x <= length - 1) return true;
            if (length <= 1) { x = 0; return true; }
            double sz = length - 1;
            if (x < 0) x += sz * (Math.Truncate(-x / sz) + 1);
            else x -= sz * Math.Truncate(x / sz);
            return true;
        }
    }
}
