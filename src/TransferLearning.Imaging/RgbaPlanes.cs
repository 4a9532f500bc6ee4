using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TransferLearning.Imaging;

/// <summary>
/// The last step both managed samplers share (<see cref="RgbaBilinearSampler"/>, <see cref="RgbaGridSampler"/>): four
/// gathered RGBA8888 neighbours and the bilinear weights → red, green and blue, stored into the C×H×W float planes of
/// the colour mode (grayscale with the byte path's ITU-R 601 weights 19595, 38470, 7471 / 65536; RGBA with alpha 255).
/// One pixel at a time, or eight with AVX2.
/// </summary>
internal static unsafe class RgbaPlanes
{
    /// <summary>One channel (the byte at <paramref name="shift"/>) interpolated between four RGBA8888 pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Lerp(uint p00, uint p01, uint p10, uint p11, int shift, float wx, float wy)
    {
        float a = (p00 >> shift) & 0xFF, b = (p01 >> shift) & 0xFF, c = (p10 >> shift) & 0xFF, d = (p11 >> shift) & 0xFF;
        float top = a + (b - a) * wx, bottom = c + (d - c) * wx;
        return top + (bottom - top) * wy;
    }

    /// <summary>Output pixel <paramref name="i"/> of planes of <paramref name="plane"/> values each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ColorMode mode, float* dst, int plane, int i, float r, float g, float b)
    {
        switch (mode)
        {
            case ColorMode.Grayscale:
                dst[i] = Luma(r, g, b);
                break;
            case ColorMode.Rgba:
                dst[i] = r; dst[plane + i] = g; dst[2 * plane + i] = b; dst[3 * plane + i] = 255;
                break;
            default:
                dst[i] = r; dst[plane + i] = g; dst[2 * plane + i] = b;
                break;
        }
    }

    /// <summary>Eight output pixels from <paramref name="o"/> on: interpolated from the gathered neighbours and stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store8(ColorMode mode, float* o, int plane, Vector256<int> p00, Vector256<int> p01, Vector256<int> p10, Vector256<int> p11,
        Vector256<float> wx, Vector256<float> wy)
    {
        var byteMask = Vector256.Create(0xFF);
        var red = Lerp8(p00, p01, p10, p11, 0, byteMask, wx, wy);
        var green = Lerp8(p00, p01, p10, p11, 8, byteMask, wx, wy);
        var blue = Lerp8(p00, p01, p10, p11, 16, byteMask, wx, wy);
        switch (mode)
        {
            case ColorMode.Grayscale:
                ((red * 19595f + green * 38470f + blue * 7471f) * (1f / 65536f)).Store(o);
                break;
            case ColorMode.Rgba:
                red.Store(o); green.Store(o + plane); blue.Store(o + 2 * plane); Vector256.Create(255f).Store(o + 3 * plane);
                break;
            default:
                red.Store(o); green.Store(o + plane); blue.Store(o + 2 * plane);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Lerp8(Vector256<int> p00, Vector256<int> p01, Vector256<int> p10, Vector256<int> p11,
        int shift, Vector256<int> mask, Vector256<float> wx, Vector256<float> wy)
    {
        var a = Avx.ConvertToVector256Single(Vector256.ShiftRightLogical(p00, shift) & mask);
        var b = Avx.ConvertToVector256Single(Vector256.ShiftRightLogical(p01, shift) & mask);
        var c = Avx.ConvertToVector256Single(Vector256.ShiftRightLogical(p10, shift) & mask);
        var d = Avx.ConvertToVector256Single(Vector256.ShiftRightLogical(p11, shift) & mask);
        var top = a + (b - a) * wx;
        var bottom = c + (d - c) * wx;
        return top + (bottom - top) * wy;
    }

    /// <summary>ITU-R 601 luma with the weights of the byte path (19595, 38470, 7471 / 65536).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Luma(float r, float g, float b) => (r * 19595f + g * 38470f + b * 7471f) * (1f / 65536f);
}
