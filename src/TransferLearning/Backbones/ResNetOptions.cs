namespace TransferLearning.Backbones;

/// <summary>
/// How <see cref="ResNet"/> builds a backbone (torchvision: <c>resnet50(weights=...)</c> without <c>fc</c>).
/// The values are copied when the backbone is created; later changes to this object have no effect on it.
/// </summary>
public sealed class ResNetOptions
{
    /// <summary>The depth. Default <see cref="ResNetVariant.ResNet50"/>.</summary>
    public ResNetVariant Variant { get; set; } = ResNetVariant.ResNet50;

    /// <summary>Where the weights come from. Default <see cref="TorchVisionWeights.ImageNet"/> (torchvision's <c>DEFAULT</c> weights).</summary>
    public TorchVisionWeights Weights { get; set; } = TorchVisionWeights.ImageNet;

    /// <summary>The weights file when <see cref="Weights"/> is <see cref="TorchVisionWeights.File"/>; otherwise must be <c>null</c>. Default <c>null</c>.</summary>
    public string? WeightsFile { get; set; }

    /// <summary>The format of <see cref="WeightsFile"/>. Default <see cref="WeightsFormat.Auto"/> (recognised from the file's first bytes).</summary>
    public WeightsFormat WeightsFormat { get; set; } = WeightsFormat.Auto;

    /// <summary>How the feature map becomes one vector per image. Default <see cref="PoolingMode.GlobalAverage"/> (torchvision's <c>avgpool</c>).</summary>
    public PoolingMode Pooling { get; set; } = PoolingMode.GlobalAverage;

    /// <summary>The input transform run inside the model. Default <see cref="TorchVisionPreprocessing.ImageNet"/> (what torchvision's weights expect).</summary>
    public TorchVisionPreprocessing Preprocessing { get; set; } = TorchVisionPreprocessing.ImageNet;

    /// <summary>Where ImageNet weights are cached and how they are fetched. Default: a <see cref="WeightsCacheOptions"/> with its defaults.</summary>
    public WeightsCacheOptions Cache { get; set; } = new();

    internal ResNetOptions Copy() => new()
    {
        Variant = Variant,
        Weights = Weights,
        WeightsFile = WeightsFile,
        WeightsFormat = WeightsFormat,
        Pooling = Pooling,
        Preprocessing = Preprocessing,
        Cache = (Cache ?? throw new ArgumentNullException(nameof(Cache), "ResNetOptions.Cache must not be null.")).Copy(),
    };

    internal void Validate()
    {
        if (!Enum.IsDefined(Variant)) throw new ArgumentOutOfRangeException(nameof(Variant), $"Unknown ResNetVariant value {(int)Variant}.");
        if (!Enum.IsDefined(Weights)) throw new ArgumentOutOfRangeException(nameof(Weights), $"Unknown TorchVisionWeights value {(int)Weights}.");
        if (!Enum.IsDefined(WeightsFormat)) throw new ArgumentOutOfRangeException(nameof(WeightsFormat), $"Unknown WeightsFormat value {(int)WeightsFormat}.");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), $"Unknown PoolingMode value {(int)Pooling}.");
        if (!Enum.IsDefined(Preprocessing)) throw new ArgumentOutOfRangeException(nameof(Preprocessing), $"Unknown TorchVisionPreprocessing value {(int)Preprocessing}.");
        if (Weights == TorchVisionWeights.File && string.IsNullOrWhiteSpace(WeightsFile))
            throw new ArgumentException("Weights is TorchVisionWeights.File but WeightsFile is not set; give the path of a .pth, .safetensors or TorchSharp weights file.", nameof(WeightsFile));
        if (Weights != TorchVisionWeights.File && WeightsFile is not null)
            throw new ArgumentException($"WeightsFile is set to '{WeightsFile}' but Weights is {Weights}; set Weights = TorchVisionWeights.File to load it.", nameof(WeightsFile));
    }
}
