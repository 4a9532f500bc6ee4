namespace TransferLearning.Backbones;

/// <summary>The input transform a <see cref="ConvNeXt"/> backbone runs before its stem.</summary>
public enum ConvNeXtPreprocessing
{
    /// <summary>
    /// torchvision's ImageNet normalisation (RGB / 255, mean 0.485 0.456 0.406, std 0.229 0.224 0.225), what the published weights
    /// expect; the same as <see cref="ResNetPreprocessing.ImageNet"/>. The default. torchvision's evaluation transform also resizes
    /// (bilinear, shorter side 236 for Tiny, 230 for Small, 232 for Base and Large) and centre-crops 224×224; that is the data
    /// pipeline's job, not the model's.
    /// </summary>
    ImageNet,

    /// <summary>None: the input goes to the stem as it is (for input that is already normalised).</summary>
    Identity,
}
