namespace TransferLearning.Backbones;

/// <summary>The input transform a native torchvision backbone (<see cref="ResNet"/>, <see cref="EfficientNet"/>, <see cref="MobileNetV3"/>, <see cref="ConvNeXt"/>) runs before its first layer. torchvision's evaluation transforms also resize and centre-crop (each family's sizes are in its docs); that is the data pipeline's job, not the model's.</summary>
public enum TorchVisionPreprocessing
{
    /// <summary>torchvision's ImageNet transform (RGB / 255, mean 0.485 0.456 0.406, std 0.229 0.224 0.225): matches torchvision weights. The default.</summary>
    ImageNet,

    /// <summary>None: the input goes to the first convolution as it is (for input that is already normalised).</summary>
    Identity,
}
