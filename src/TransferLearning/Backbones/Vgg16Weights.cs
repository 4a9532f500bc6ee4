namespace TransferLearning.Backbones;

/// <summary>Where <see cref="Vgg16"/> takes its weights from (Keras' <c>weights</c> argument).</summary>
public enum Vgg16Weights
{
    /// <summary>
    /// torchvision's <c>IMAGENET1K_V1</c> weights (<c>vgg16-397923af.pth</c>), fetched once into the
    /// <see cref="WeightsCache"/> and verified by SHA-256. The default, as in Keras.
    /// </summary>
    ImageNet,

    /// <summary>PyTorch's default random initialisation (Keras <c>weights=None</c>).</summary>
    None,

    /// <summary>A local file named by <see cref="Vgg16Options.WeightsFile"/> (torchvision <c>.pth</c>, safetensors or TorchSharp format).</summary>
    File,
}
