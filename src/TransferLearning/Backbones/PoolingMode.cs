namespace TransferLearning.Backbones;

/// <summary>How a backbone turns its feature map into one vector per image (Keras' <c>pooling</c> argument).</summary>
public enum PoolingMode
{
    /// <summary>Global average pooling (Keras <c>GlobalAveragePooling2D</c>). The default.</summary>
    GlobalAverage,

    /// <summary>Global max pooling.</summary>
    GlobalMax,

    /// <summary>No pooling: <see cref="PretrainedBackbone.forward"/> returns the feature map flattened per image.</summary>
    Flatten,
}
