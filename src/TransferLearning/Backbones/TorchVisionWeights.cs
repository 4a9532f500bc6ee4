namespace TransferLearning.Backbones;

/// <summary>
/// Where a native torchvision backbone (<see cref="ResNet"/>, <see cref="EfficientNet"/>, <see cref="MobileNetV3"/>,
/// <see cref="ConvNeXt"/>) takes its weights from.
/// </summary>
public enum TorchVisionWeights
{
    /// <summary>
    /// torchvision's <c>DEFAULT</c> ImageNet weights, fetched once into the <see cref="WeightsCache"/> and verified by SHA-256.
    /// Where torchvision publishes two trainings (ResNet-50 and -101, EfficientNet-B1, MobileNetV3-Large) that is <c>IMAGENET1K_V2</c>, the newer
    /// recipe; otherwise <c>IMAGENET1K_V1</c>. The default.
    /// </summary>
    ImageNet,

    /// <summary>torchvision's original <c>IMAGENET1K_V1</c> weights (the same file as <see cref="ImageNet"/> where only one training is published).</summary>
    ImageNetV1,

    /// <summary>torchvision's random initialisation (Kaiming-normal convolutions, fan-out; batch norms at 1 and 0).</summary>
    None,

    /// <summary>A local file named by the options' <c>WeightsFile</c> (torchvision <c>.pth</c>, safetensors or TorchSharp format).</summary>
    File,
}
