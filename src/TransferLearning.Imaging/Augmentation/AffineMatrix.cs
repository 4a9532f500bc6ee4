namespace TransferLearning.Augmentation;

/// <summary>
/// A 2-D affine map from an output pixel (row, column) to the input pixel it samples, in absolute pixel coordinates
/// (pixel centres at integers, as scipy's <c>affine_transform</c>):
/// <c>inRow = M00·row + M01·col + M02</c>, <c>inCol = M10·row + M11·col + M12</c>.
/// </summary>
/// <remarks>
/// Transforms applied one after the other compose by multiplication in the order they run:
/// <c>first.Then(second)</c> = <c>first · second</c>, the same order as Keras' rotation · shift · shear · zoom.
/// </remarks>
/// <param name="M00">Row from row.</param>
/// <param name="M01">Row from column.</param>
/// <param name="M02">Row offset.</param>
/// <param name="M10">Column from row.</param>
/// <param name="M11">Column from column.</param>
/// <param name="M12">Column offset.</param>
public readonly record struct AffineMatrix(double M00, double M01, double M02, double M10, double M11, double M12)
{
    /// <summary>The identity map.</summary>
    public static AffineMatrix Identity => new(1, 0, 0, 0, 1, 0);

    /// <summary>Whether this is exactly the identity.</summary>
    public bool IsIdentity => this == Identity;

    /// <summary>The map of <paramref name="second"/> applied after this one (matrix product <c>this · second</c>).</summary>
    /// <param name="second">The transform that runs after this one.</param>
    public AffineMatrix Then(AffineMatrix second) => new(
        M00 * second.M00 + M01 * second.M10,
        M00 * second.M01 + M01 * second.M11,
        M00 * second.M02 + M01 * second.M12 + M02,
        M10 * second.M00 + M11 * second.M10,
        M10 * second.M01 + M11 * second.M11,
        M10 * second.M02 + M11 * second.M12 + M12);

    /// <summary>
    /// Turns a linear map about the image centre (Keras' convention: centre at row h/2 − 0.5, column w/2 − 0.5)
    /// into absolute pixel coordinates for an image of the given size, as Keras' <c>transform_matrix_offset_center</c>.
    /// </summary>
    /// <param name="centred">The map relative to the centre (its offsets are a shift in pixels).</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="width">Image width in pixels.</param>
    public static AffineMatrix AboutCentre(AffineMatrix centred, int height, int width)
    {
        double oy = height / 2.0 - 0.5, ox = width / 2.0 - 0.5;
        var toCentre = new AffineMatrix(1, 0, -oy, 0, 1, -ox);
        var back = new AffineMatrix(1, 0, oy, 0, 1, ox);
        return back.Then(centred).Then(toCentre);
    }

    /// <summary>Applies the map to an output pixel, giving the input coordinate it samples.</summary>
    /// <param name="row">Output row.</param>
    /// <param name="col">Output column.</param>
    public (double Row, double Col) Map(double row, double col) => (M00 * row + M01 * col + M02, M10 * row + M11 * col + M12);
}
