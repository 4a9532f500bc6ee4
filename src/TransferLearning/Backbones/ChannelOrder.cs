namespace TransferLearning.Backbones;

/// <summary>The channel order a backbone's weights expect.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (torchvision, most PyTorch weights).</summary>
    Rgb,

    /// <summary>Blue, green, red (Caffe, Keras' VGG16 weights, CNTK exports).</summary>
    Bgr,
}
