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

    private static void BilinearRow<TMap>(Job job, int image, int row) where TMap : struct, ICoordinateMap =>
        BilinearColumns<TMap>(job, image, row, 0);

    /// <summary>Columns <paramref name="firstColumn"/> … of one output row, one pixel at a time in float64.</summary>
    private static void BilinearColumns<TMap>(Job job, int image, int row, int firstColumn) where TMap : struct, ICoordinateMap
    {
        var m = job.Matrices[image];
        int h = job.Height, w = job.Width, ow = job.OutWidth, channels = job.Channels;
        long plane = (long)h * w, outPlane = (long)job.OutHeight * ow;
        float* src = job.Source + image * channels * plane;
        float* dst = job.Destination + image * channels * outPlane + (long)row * ow;
        double rowBase = m.M00 * row + m.M02, colBase = m.M10 * row + m.M12;
        for (int c = firstColumn; c < ow; c++)
        {
            double y = rowBase + m.M01 * c;
            double x = colBase + m.M11 * c;
            if (!TMap.Map(ref y, h) || !TMap.Map(ref x, w))
            {
                for (int ch = 0; ch < channels; ch++) dst[ch * outPlane + c] = job.FillValue;
                continue;
            }
            var t = new BilinearTaps(y, x, h, w);
            long i00 = (long)t.Y0 * w + t.X0, i01 = (long)t.Y0 * w + t.X1, i10 = (long)t.Y1 * w + t.X0, i11 = (long)t.Y1 * w + t.X1;
            for (int ch = 0; ch < channels; ch++)
            {
                float* p = src + ch * plane;
                float top = p[i00] + (p[i01] - p[i00]) * t.Wx;
                float bottom = p[i10] + (p[i11] - p[i10]) * t.Wx;
                dst[ch * outPlane + c] = top + (bottom - top) * t.Wy;
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
        var points = new AffineRow8(m, row);
        var grid = new BilinearTaps8.Grid(h, w, w);
        int c = 0;
        for (; c + 8 <= ow; c += 8)
        {
            points.Block(c, out var y, out var x);
            BilinearTaps8.Compute(y, x, grid, out var i00, out var i01, out var i10, out var i11, out var wy, out var wx);
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
        BilinearColumns<ClampMap>(job, image, row, c); // the last columns (fewer than eight), if any
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
