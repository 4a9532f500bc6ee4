namespace TransferLearning.Augmentation;

/// <summary>The axis a <see cref="RandomFlip"/> mirrors.</summary>
public enum FlipDirection
{
    /// <summary>Left-right (Keras' <c>horizontal_flip</c>).</summary>
    Horizontal,

    /// <summary>Top-bottom (Keras' <c>vertical_flip</c>).</summary>
    Vertical,
}
