namespace TransferLearning.Backbones;

/// <summary>The input transform an <see cref="EfficientNet"/> or <see cref="MobileNetV3"/> backbone runs before its first convolution.</summary>
public enum TorchVisionPreprocessing
{
    /// <summary>torchvision's ImageNet transform (RGB / 255, mean 0.485 0.456 0.406, std 0.229 0.224 0.225): matches torchvision weights. The default.</summary>
    ImageNet,

    /// <summary>None: the input goes to the first convolution as it is (for input that is already normalised).</summary>
    Identity,
}
