namespace TransferLearning.Augmentation;

/// <summary>How a geometric transform reads the image between pixel centres.</summary>
public enum AffineInterpolation
{
    /// <summary>The default: bilinear (spline order 1 in Keras/scipy terms).</summary>
    Bilinear,

    /// <summary>Nearest neighbour (spline order 0): the source coordinate is rounded half up.</summary>
    Nearest,
}
