using System.Runtime.CompilerServices;

namespace TransferLearning.Augmentation;

// scipy.ndimage's boundary rules for one axis, shared by the tensor-path kernel and the decoder's fused sampler.

/// <summary>Maps a source coordinate by a fill mode's rule; false when the point takes the fill value.</summary>
internal interface ICoordinateMap
{
    static abstract bool Map(ref double x, int length);
}

internal struct ClampMap : ICoordinateMap
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Map(ref double x, int length)
    {
        if (x < 0) x = 0;
        else if (x > length - 1) x = length - 1;
        return true;
    }
}

internal struct ConstantMap : ICoordinateMap
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Map(ref double x, int length) => x >= 0 && x <= length - 1;
}

internal struct ReflectMap : ICoordinateMap
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

internal struct WrapMap : ICoordinateMap
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
