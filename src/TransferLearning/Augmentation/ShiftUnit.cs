namespace TransferLearning.Augmentation;

/// <summary>The unit of a <see cref="RandomShift"/> range.</summary>
public enum ShiftUnit
{
    /// <summary>A fraction of the image height / width, in [0, 1] (Keras' values below 1).</summary>
    Fraction,

    /// <summary>Pixels (Keras' values of 1 and more).</summary>
    Pixels,
}
