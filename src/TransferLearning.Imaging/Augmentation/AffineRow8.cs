using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TransferLearning.Augmentation;

/// <summary>
/// The points of one output row under an affine map, eight columns at a time: float32 offsets from a float64 start
/// per block of eight, so long rows do not accumulate float32 error.
/// </summary>
internal readonly struct AffineRow8
{
    private readonly AffineMatrix _m;
    private readonly double _rowBase, _colBase;
    private readonly Vector256<float> _stepY, _stepX;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public AffineRow8(AffineMatrix m, int row)
    {
        _m = m;
        _rowBase = m.M00 * row + m.M02;
        _colBase = m.M10 * row + m.M12;
        var lane = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
        _stepY = Vector256.Create((float)m.M01) * lane;
        _stepX = Vector256.Create((float)m.M11) * lane;
    }

    /// <summary>(y, x) of columns <paramref name="column"/> … column + 7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Block(int column, out Vector256<float> y, out Vector256<float> x)
    {
        y = Vector256.Create((float)(_rowBase + _m.M01 * column)) + _stepY;
        x = Vector256.Create((float)(_colBase + _m.M11 * column)) + _stepX;
    }
}
