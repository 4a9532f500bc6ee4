namespace TransferLearning.Backbones;

/// <summary>Where <see cref="ResNet"/> takes its weights from.</summary>
public enum ResNetWeights
{
    /// <summary>
    /// torchvision's <c>DEFAULT</c> ImageNet weights, fetched once into the <see cref="WeightsCache"/> and verified by SHA-256:
    /// <c>IMAGENET1K_V1</c> for ResNet-18 and -34, <c>IMAGENET1K_V2</c> (the newer training recipe) for ResNet-50 and -101. The default.
    /// </summary>
    ImageNet,

    /// <summary>torchvision's original <c>IMAGENET1K_V1</c> weights for every depth (the same file as <see cref="ImageNet"/> for ResNet-18 and -34).</summary>
    ImageNetV1,

    /// <summary>torchvision's random initialisation (Kaiming-normal convolutions, batch norms at 1 and 0).</summary>
    None,

    /// <summary>A local file named by <see cref="ResNetOptions.WeightsFile"/> (torchvision <c>.pth</c>, safetensors or TorchSharp format).</summary>
    File,
}
