namespace TransferLearning.Backbones;

/// <summary>Where <see cref="ConvNeXt"/> takes its weights from.</summary>
public enum ConvNeXtWeights
{
    /// <summary>
    /// torchvision's <c>IMAGENET1K_V1</c> weights of the variant (its <c>DEFAULT</c>), fetched once into the <see cref="WeightsCache"/>
    /// and verified by SHA-256. Only for the published <see cref="ConvNeXtVariant"/> configurations. The default.
    /// </summary>
    ImageNet,

    /// <summary>torchvision's random initialisation (truncated-normal convolutions and linears with std 0.02 and zero biases, layer norms at 1 and 0, layer scales at <see cref="ConvNeXtOptions.LayerScale"/>).</summary>
    None,

    /// <summary>A local file named by <see cref="ConvNeXtOptions.WeightsFile"/> (torchvision <c>.pth</c>, safetensors or TorchSharp format).</summary>
    File,
}
