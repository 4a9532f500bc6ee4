using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
        var run = Select(resampling, (long)height * width < int.MaxValue);
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

    private static delegate*<Job, int, int, void> Select(Resampling resampling, bool int32Indices) => (resampling.Interpolation, resampling.FillMode) switch
    {
        (AffineInterpolation.Bilinear, FillMode.Nearest) => Avx2.IsSupported && int32Indices ? &BilinearClampRowAvx2 : &BilinearRow<ClampMap>,
        (AffineInterpolation.Bilinear, FillMode.Constant) => &BilinearRow<ConstantMap>,
        (AffineInterpolation.Bilinear, FillMode.Reflect) => &BilinearRow<ReflectMap>,
        (AffineInterpolation.Bilinear, FillMode.Wrap) => &BilinearRow<WrapMap>,
        (AffineInterpolation.Nearest, FillMode.Nearest) => &NearestRow<ClampMap>,
        (AffineInterpolation.Nearest, FillMode.Constant) => &NearestRow<ConstantMap>,
        (AffineInterpolation.Nearest, FillMode.Reflect) => &NearestRow<ReflectMap>,
        (AffineInterpolation.Nearest, FillMode.Wrap) => &NearestRow<WrapMap>,
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

    /// <summary>
    /// The default case (bilinear, nearest fill) eight output pixels at a time: float32 coordinates relative to a
    /// float64 start per block of eight, gathers for the four neighbours, weights shared by all channels.
    /// </summary>
    private static void BilinearClampRowAvx2(Job job, int image, int row)
    {
        var m = job.Matrices[image];
        int h = job.Height, w = job.Width, ow = job.OutWidth, channels = job.Channels;
        long plane = (long)h * w, outPlane = (long)job.OutHeight * ow;
        float* src = job.Source + image * channels * plane;
        float* dst = job.Destination + image * channels * outPlane + (long)row * ow;
        double rowBase = m.M00 * row + m.M02, colBase = m.M10 * row + m.M12;
        var lane = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
        var stepY = Vector256.Create((float)m.M01) * lane;
        var stepX = Vector256.Create((float)m.M11) * lane;
        var maxY = Vector256.Create((float)(h - 1));
        var maxX = Vector256.Create((float)(w - 1));
        var zero = Vector256<float>.Zero;
        var oneI = Vector256.Create(1);
        var maxYi = Vector256.Create(h - 1);
        var maxXi = Vector256.Create(w - 1);
        var widthI = Vector256.Create(w);
        int c = 0;
        for (; c + 8 <= ow; c += 8)
        {
            var y = Vector256.Create((float)(rowBase + m.M01 * c)) + stepY;
            var x = Vector256.Create((float)(colBase + m.M11 * c)) + stepX;
            y = Avx.Min(Avx.Max(y, zero), maxY);
            x = Avx.Min(Avx.Max(x, zero), maxX);
            var fy = Avx.Floor(y);
            var fx = Avx.Floor(x);
            var wy = y - fy;
            var wx = x - fx;
            var y0 = Avx.ConvertToVector256Int32WithTruncation(fy);
            var x0 = Avx.ConvertToVector256Int32WithTruncation(fx);
            var y1 = Avx2.Min(y0 + oneI, maxYi);
            var x1 = Avx2.Min(x0 + oneI, maxXi);
            var r0 = Avx2.MultiplyLow(y0, widthI);
            var r1 = Avx2.MultiplyLow(y1, widthI);
            var i00 = r0 + x0;
            var i01 = r0 + x1;
            var i10 = r1 + x0;
            var i11 = r1 + x1;
            for (int ch = 0; ch < channels; ch++)
            {
                float* p = src + ch * plane;
                var p00 = Avx2.GatherVector256(p, i00, 4);
                var p01 = Avx2.GatherVector256(p, i01, 4);
                var p10 = Avx2.GatherVector256(p, i10, 4);
                var p11 = Avx2.GatherVector256(p, i11, 4);
                var top = p00 + (p01 - p00) * wx;
                var bottom = p10 + (p11 - p10) * wx;
                (top + (bottom - top) * wy).Store(dst + ch * outPlane + c);
            }
        }
        for (; c < ow; c++)
        {
            double y = rowBase + m.M01 * c;
            double x = colBase + m.M11 * c;
            ClampMap.Map(ref y, h);
            ClampMap.Map(ref x, w);
            double fy0 = Math.Floor(y), fx0 = Math.Floor(x);
            int y0 = (int)fy0, x0 = (int)fx0;
            float wy = (float)(y - fy0), wx = (float)(x - fx0);
            int y1 = Clamp(y0 + 1, h), x1 = Clamp(x0 + 1, w);
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
}
