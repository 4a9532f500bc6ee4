namespace TransferLearning.Imaging;

/// <summary>How an image is resampled to the target size (Keras' <c>interpolation</c>).</summary>
public enum Interpolation
{
    /// <summary>Nearest neighbour (<c>SKFilterMode.Nearest</c>); Keras' default. The default here too.</summary>
    Nearest = 0,

    /// <summary>Bilinear (<c>SKFilterMode.Linear</c>, no mipmaps: like Keras/Pillow without antialiasing when shrinking a lot).</summary>
    Bilinear = 1,

    /// <summary>Bicubic with the Catmull-Rom kernel (<c>SKCubicResampler.CatmullRom</c>, a = −0.5 as Pillow's bicubic).</summary>
    Bicubic = 2,

    /// <summary>
    /// Area averaging for shrinking: every output pixel is the mean of the source pixels it covers (fractional edges
    /// weighted), as Pillow's BOX filter and OpenCV's INTER_AREA; when enlarging it behaves as bilinear.
    /// </summary>
    Area = 3,
}
