namespace TransferLearning.Imaging;

/// <summary>The channels a decoded image has (Keras' <c>color_mode</c>).</summary>
public enum ColorMode
{
    /// <summary>Three channels, red, green, blue (alpha dropped; transparent pixels keep their colour values). The default.</summary>
    Rgb = 0,

    /// <summary>One channel, luminance L = R·299/1000 + G·587/1000 + B·114/1000 (ITU-R 601-2, as Pillow's <c>convert('L')</c>).</summary>
    Grayscale = 1,

    /// <summary>Four channels, red, green, blue, alpha (unpremultiplied; opaque images get alpha 255).</summary>
    Rgba = 2,
}
