using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TransferLearning.Augmentation;

/// <summary>
/// The four neighbours and weights of one bilinear sample at (y, x) in pixel-centre coordinates, the point first
/// clamped to the image: shared by the CPU resamplers (the tensor path's <c>ManagedAffineKernel</c> and the
/// decoder's sampler). Indices are clamped too, so even a NaN coordinate reads inside the image.
/// </summary>
internal readonly struct BilinearTaps
{
    /// <summary>Upper and lower rows, left and right columns.</summary>
    public readonly int Y0, Y1, X0, X1;

    /// <summary>Weights of <see cref="Y1"/> and <see cref="X1"/>.</summary>
    public readonly float Wy, Wx;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public BilinearTaps(double y, double x, int height, int width)
    {
        y = Math.Clamp(y, 0, height - 1);
        x = Math.Clamp(x, 0, width - 1);
        double fy = Math.Floor(y), fx = Math.Floor(x);
        int y0 = (int)fy, x0 = (int)fx;
        Wy = (float)(y - fy);
        Wx = (float)(x - fx);
        Y0 = Clamp(y0, height);
        Y1 = Clamp(y0 + 1, height);
        X0 = Clamp(x0, width);
        X1 = Clamp(x0 + 1, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Clamp(int i, int length) => i < 0 ? 0 : i >= length ? length - 1 : i;
}

/// <summary>
/// <see cref="BilinearTaps"/> for eight points at once (AVX2), as element offsets <c>row × stride + column</c> of the
/// four neighbours, ready for a gather. A NaN coordinate becomes 0 (<c>max(NaN, 0)</c> is 0). A static method with
/// out parameters rather than a struct of six vectors, so that everything stays in registers in the callers' loops.
/// </summary>
internal static class BilinearTaps8
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compute(Vector256<float> y, Vector256<float> x, in Grid grid,
        out Vector256<int> i00, out Vector256<int> i01, out Vector256<int> i10, out Vector256<int> i11,
        out Vector256<float> wy, out Vector256<float> wx)
    {
        y = Avx.Min(Avx.Max(y, Vector256<float>.Zero), grid.MaxY);
        x = Avx.Min(Avx.Max(x, Vector256<float>.Zero), grid.MaxX);
        var fy = Avx.Floor(y);
        var fx = Avx.Floor(x);
        wy = y - fy;
        wx = x - fx;
        var y0 = Avx.ConvertToVector256Int32WithTruncation(fy);
        var x0 = Avx.ConvertToVector256Int32WithTruncation(fx);
        var x1 = Avx2.Min(x0 + Vector256<int>.One, grid.MaxXi);
        var r0 = Avx2.MultiplyLow(y0, grid.Stride);
        var r1 = Avx2.MultiplyLow(Avx2.Min(y0 + Vector256<int>.One, grid.MaxYi), grid.Stride);
        i00 = r0 + x0;
        i01 = r0 + x1;
        i10 = r1 + x0;
        i11 = r1 + x1;
    }

    /// <summary>An image's limits and row stride (in elements), broadcast once per row.</summary>
    internal readonly struct Grid(int height, int width, int stride)
    {
        public readonly Vector256<float> MaxY = Vector256.Create((float)(height - 1)), MaxX = Vector256.Create((float)(width - 1));
        public readonly Vector256<int> MaxYi = Vector256.Create(height - 1), MaxXi = Vector256.Create(width - 1);
        public readonly Vector256<int> Stride = Vector256.Create(stride);
    }
}
