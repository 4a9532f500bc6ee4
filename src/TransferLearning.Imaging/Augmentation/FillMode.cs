namespace TransferLearning.Augmentation;

/// <summary>
/// How a geometric transform fills output pixels whose source lies outside the image; the rules are
/// <c>scipy.ndimage</c>'s, which Keras' <c>ImageDataGenerator</c> inherits.
/// </summary>
public enum FillMode
{
    /// <summary>The default: source coordinates clamp to the edge (<c>aaaa|abcd|dddd</c>).</summary>
    Nearest,

    /// <summary>A source point outside [0, n−1] takes the fill value, with no blending towards it (<c>kkkk|abcd|kkkk</c>).</summary>
    Constant,

    /// <summary>Half-sample symmetric reflection about the image border, period 2n (<c>dcba|abcd|dcba</c>).</summary>
    Reflect,

    /// <summary>scipy's wrap: a point outside [0, n−1] wraps with period n − 1, so the first and last samples coincide.</summary>
    Wrap,
}
