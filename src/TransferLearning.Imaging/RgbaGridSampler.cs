using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TransferLearning.Augmentation;

namespace TransferLearning.Imaging;

/// <summary>
/// The augmentation's bilinear resample of a resized image that is never stored: the resized image is a grid of
/// pixels of an opaque RGBA8888 buffer, pixel (i, j) at element <c>rowOffsets[i] + columnOffsets[j]</c>. A
/// nearest-neighbour resize (any crop, EXIF orientation or DCT scale) is such a grid of the decoded pixels, so the
/// decoder's nearest resize and the augmentation become one pass that reads four decoded pixels per output pixel and
/// gives what the two resamples in turn give; a bicubic or area resize stored at the target size is the identity grid.
/// Each output pixel (row, col) samples the grid bilinearly at <c>toGrid(row, col)</c> (scipy's pixel coordinates:
/// centres at integers, row first), the fill mode's rule applied at the grid's edges, exactly as the tensor path's
/// resample (<c>ManagedAffineKernel</c>) treats the resized image.
/// </summary>
internal static unsafe class RgbaGridSampler
{
    /// <summary>The grid: pixels and, per grid row and column, the element offsets whose sum addresses a pixel.</summary>
    internal readonly record struct Grid(IntPtr Pixels, int[] RowOffsets, int[] ColumnOffsets)
    {
        public int Height => RowOffsets.Length;
        public int Width => ColumnOffsets.Length;
    }

    /// <summary>The identity grid of a stored image of <paramref name="height"/> rows of <paramref name="rowElements"/> pixels.</summary>
    public static (int[] Rows, int[] Columns) IdentityOffsets(int height, int width, int rowElements)
    {
        var rows = new int[height];
        var columns = new int[width];
        for (int i = 0; i < height; i++) rows[i] = i * rowElements;
        for (int j = 0; j < width; j++) columns[j] = j;
        return (rows, columns);
    }

    /// <summary>Fills <paramref name="destination"/> (channels of <paramref name="mode"/> × outHeight × outWidth).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sample(Grid grid, AffineMatrix toGrid, Resampling resampling, ColorMode mode, Span<float> destination,
        int outHeight, int outWidth)
    {
        int channels = ImagePixelDecoder.ChannelCount(mode);
        if (destination.Length < channels * outHeight * outWidth)
            throw new ArgumentException("Destination too small.", nameof(destination));
        if (grid.Height == 0 || grid.Width == 0)
            throw new ArgumentException("The grid is empty.", nameof(grid));
        fixed (float* dst = destination)
        fixed (int* rows = grid.RowOffsets)
        fixed (int* columns = grid.ColumnOffsets)
        {
            var job = new Job((uint*)grid.Pixels, rows, columns, grid.Height, grid.Width, toGrid, (float)resampling.FillValue, mode, outHeight, outWidth);
            if (resampling.FillMode == FillMode.Nearest && Avx2.IsSupported)
            {
                for (int row = 0; row < outHeight; row++) ClampRowAvx2(job, row, dst);
                return;
            }
            for (int row = 0; row < outHeight; row++)
            {
                switch (resampling.FillMode)
                {
                    case FillMode.Nearest: Row<ClampMap>(job, row, 0, dst); break;
                    case FillMode.Constant: Row<ConstantMap>(job, row, 0, dst); break;
                    case FillMode.Reflect: Row<ReflectMap>(job, row, 0, dst); break;
                    case FillMode.Wrap: Row<WrapMap>(job, row, 0, dst); break;
                    default: throw new ArgumentOutOfRangeException(nameof(resampling), resampling.FillMode, "Unknown fill mode.");
                }
            }
        }
    }

    private readonly struct Job(uint* pixels, int* rows, int* columns, int height, int width, AffineMatrix toGrid, float fillValue,
        ColorMode mode, int outHeight, int outWidth)
    {
        public readonly uint* Pixels = pixels;
        public readonly int* Rows = rows, Columns = columns;
        public readonly int Height = height, Width = width, OutHeight = outHeight, OutWidth = outWidth;
        public readonly float FillValue = fillValue;
        public readonly AffineMatrix ToGrid = toGrid;
        public readonly ColorMode Mode = mode;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<TMap>(in Job job, int row, int firstColumn, float* dst) where TMap : struct, ICoordinateMap
    {
        var m = job.ToGrid;
        int plane = job.OutHeight * job.OutWidth, offset = row * job.OutWidth;
        double rowBase = m.M00 * row + m.M02, colBase = m.M10 * row + m.M12;
        for (int c = firstColumn; c < job.OutWidth; c++)
        {
            double y = rowBase + m.M01 * c, x = colBase + m.M11 * c;
            if (!TMap.Map(ref y, job.Height) || !TMap.Map(ref x, job.Width))
            {
                RgbaPlanes.Store(job.Mode, dst, plane, offset + c, job.FillValue, job.FillValue, job.FillValue);
                continue;
            }
            var t = new BilinearTaps(y, x, job.Height, job.Width);
            uint* r0 = job.Pixels + job.Rows[t.Y0], r1 = job.Pixels + job.Rows[t.Y1];
            uint p00 = r0[job.Columns[t.X0]], p01 = r0[job.Columns[t.X1]], p10 = r1[job.Columns[t.X0]], p11 = r1[job.Columns[t.X1]];
            RgbaPlanes.Store(job.Mode, dst, plane, offset + c,
                RgbaPlanes.Lerp(p00, p01, p10, p11, 0, t.Wx, t.Wy), RgbaPlanes.Lerp(p00, p01, p10, p11, 8, t.Wx, t.Wy), RgbaPlanes.Lerp(p00, p01, p10, p11, 16, t.Wx, t.Wy));
        }
    }


    /// <summary>Nearest fill (the default), eight output pixels at a time: grid offsets and pixels gathered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ClampRowAvx2(in Job job, int row, float* dst)
    {
        int ow = job.OutWidth, plane = job.OutHeight * ow, offset = row * ow;
        var points = new AffineRow8(job.ToGrid, row);
        var zero = Vector256<float>.Zero;
        var maxY = Vector256.Create((float)(job.Height - 1));
        var maxX = Vector256.Create((float)(job.Width - 1));
        var maxYi = Vector256.Create(job.Height - 1);
        var maxXi = Vector256.Create(job.Width - 1);
        int* pixels = (int*)job.Pixels;
        int c = 0;
        for (; c + 8 <= ow; c += 8)
        {
            points.Block(c, out var y, out var x);
            y = Avx.Min(Avx.Max(y, zero), maxY); // nearest fill at the grid's edges (a NaN becomes 0)
            x = Avx.Min(Avx.Max(x, zero), maxX);
            var fy = Avx.Floor(y);
            var fx = Avx.Floor(x);
            var wy = y - fy;
            var wx = x - fx;
            var y0 = Avx.ConvertToVector256Int32WithTruncation(fy);
            var x0 = Avx.ConvertToVector256Int32WithTruncation(fx);
            var r0 = Avx2.GatherVector256(job.Rows, y0, 4);
            var r1 = Avx2.GatherVector256(job.Rows, Avx2.Min(y0 + Vector256<int>.One, maxYi), 4);
            var c0 = Avx2.GatherVector256(job.Columns, x0, 4);
            var c1 = Avx2.GatherVector256(job.Columns, Avx2.Min(x0 + Vector256<int>.One, maxXi), 4);
            var p00 = Avx2.GatherVector256(pixels, r0 + c0, 4);
            var p01 = Avx2.GatherVector256(pixels, r0 + c1, 4);
            var p10 = Avx2.GatherVector256(pixels, r1 + c0, 4);
            var p11 = Avx2.GatherVector256(pixels, r1 + c1, 4);
            RgbaPlanes.Store8(job.Mode, dst + offset + c, plane, p00, p01, p10, p11, wx, wy);
        }
        Row<ClampMap>(job, row, c, dst); // the last columns (fewer than eight), if any
    }
}
