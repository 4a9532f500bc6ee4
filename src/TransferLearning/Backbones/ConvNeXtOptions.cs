namespace TransferLearning.Backbones;

/// <summary>
/// How <see cref="ConvNeXt"/> builds a backbone (torchvision: <c>convnext_tiny(weights=...)</c> without <c>classifier.2</c>, or
/// <c>ConvNeXt(block_setting)</c> for a custom <see cref="BlockConfigs"/>). The values are copied when the backbone is created;
/// later changes to this object have no effect on it.
/// </summary>
public sealed class ConvNeXtOptions
{
    /// <summary>The size, when <see cref="BlockConfigs"/> is <c>null</c>. Default <see cref="ConvNeXtVariant.Tiny"/>.</summary>
    public ConvNeXtVariant Variant { get; set; } = ConvNeXtVariant.Tiny;

    /// <summary>
    /// A custom stage configuration (torchvision's <c>block_setting</c>, a list of <c>CNBlockConfig</c>) instead of <see cref="Variant"/>'s,
    /// or <c>null</c> for the variant's. With a custom configuration <see cref="Weights"/> must be <see cref="TorchVisionWeights.None"/> or
    /// <see cref="TorchVisionWeights.File"/>, and the backbone's name is <c>convnext</c>. Default <c>null</c>.
    /// </summary>
    public IReadOnlyList<ConvNeXtBlockConfig>? BlockConfigs { get; set; }

    /// <summary>
    /// The stochastic-depth probability of the last block; block <c>i</c> of <c>n</c> drops its residual branch per image (torchvision's
    /// <c>"row"</c> mode) with probability <c>p · i / (n − 1)</c> in training mode, never in inference mode. Between 0 and 1, or
    /// <c>null</c> for torchvision's builder default: 0.1 for Tiny, 0.4 for Small, 0.5 for Base and Large, 0 for a custom
    /// <see cref="BlockConfigs"/> (the default of torchvision's <c>ConvNeXt</c> class). Default <c>null</c>.
    /// </summary>
    public double? StochasticDepthProbability { get; set; }

    /// <summary>
    /// The initial value of every block's <c>layer_scale</c> (torchvision's <c>layer_scale</c> argument); loaded weights replace it.
    /// Finite. Default 1e-6 (torchvision's).
    /// </summary>
    public double LayerScale { get; set; } = 1e-6;

    /// <summary>Where the weights come from. Default <see cref="TorchVisionWeights.ImageNet"/> (torchvision's <c>IMAGENET1K_V1</c>, its <c>DEFAULT</c>).</summary>
    public TorchVisionWeights Weights { get; set; } = TorchVisionWeights.ImageNet;

    /// <summary>The weights file when <see cref="Weights"/> is <see cref="TorchVisionWeights.File"/>; otherwise must be <c>null</c>. Default <c>null</c>.</summary>
    public string? WeightsFile { get; set; }

    /// <summary>The format of <see cref="WeightsFile"/>. Default <see cref="WeightsFormat.Auto"/> (recognised from the file's first bytes).</summary>
    public WeightsFormat WeightsFormat { get; set; } = WeightsFormat.Auto;

    /// <summary>
    /// How the feature map becomes one vector per image; torchvision's <c>classifier.0</c> layer norm then normalises it
    /// (<see cref="ConvNeXtBackbone"/>). Default <see cref="PoolingMode.GlobalAverage"/> (torchvision's <c>avgpool</c>).
    /// </summary>
    public PoolingMode Pooling { get; set; } = PoolingMode.GlobalAverage;

    /// <summary>The input transform run inside the model. Default <see cref="TorchVisionPreprocessing.ImageNet"/> (what torchvision's weights expect).</summary>
    public TorchVisionPreprocessing Preprocessing { get; set; } = TorchVisionPreprocessing.ImageNet;

    /// <summary>Where ImageNet weights are cached and how they are fetched. Default: a <see cref="WeightsCacheOptions"/> with its defaults.</summary>
    public WeightsCacheOptions Cache { get; set; } = new();

    internal ConvNeXtOptions Copy() => new()
    {
        Variant = Variant,
        BlockConfigs = BlockConfigs?.ToArray(),
        StochasticDepthProbability = StochasticDepthProbability,
        LayerScale = LayerScale,
        Weights = Weights,
        WeightsFile = WeightsFile,
        WeightsFormat = WeightsFormat,
        Pooling = Pooling,
        Preprocessing = Preprocessing,
        Cache = (Cache ?? throw new ArgumentNullException(nameof(Cache), "ConvNeXtOptions.Cache must not be null.")).Copy(),
    };

    internal void Validate()
    {
        if (!Enum.IsDefined(Variant)) throw new ArgumentOutOfRangeException(nameof(Variant), $"Unknown ConvNeXtVariant value {(int)Variant}.");
        if (!Enum.IsDefined(Weights)) throw new ArgumentOutOfRangeException(nameof(Weights), $"Unknown TorchVisionWeights value {(int)Weights}.");
        if (!Enum.IsDefined(WeightsFormat)) throw new ArgumentOutOfRangeException(nameof(WeightsFormat), $"Unknown WeightsFormat value {(int)WeightsFormat}.");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), $"Unknown PoolingMode value {(int)Pooling}.");
        if (!Enum.IsDefined(Preprocessing)) throw new ArgumentOutOfRangeException(nameof(Preprocessing), $"Unknown TorchVisionPreprocessing value {(int)Preprocessing}.");
        if (BlockConfigs is not null) ConvNeXtBlockConfig.ValidateChain(BlockConfigs, nameof(BlockConfigs));
        if (StochasticDepthProbability is { } p && !(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(StochasticDepthProbability), $"StochasticDepthProbability must be between 0 and 1 (or null for the variant's default); got {p}.");
        if (!double.IsFinite(LayerScale)) throw new ArgumentOutOfRangeException(nameof(LayerScale), $"LayerScale must be finite; got {LayerScale}.");
        if (BlockConfigs is not null && Weights is TorchVisionWeights.ImageNet or TorchVisionWeights.ImageNetV1)
            throw new ArgumentException(
                $"BlockConfigs sets a custom configuration ({string.Join(", ", BlockConfigs)}) but Weights is TorchVisionWeights.{Weights}; the published weights fit the ConvNeXtVariant configurations only. Set Weights to None or File.",
                nameof(Weights));
        if (Weights == TorchVisionWeights.File && string.IsNullOrWhiteSpace(WeightsFile))
            throw new ArgumentException("Weights is TorchVisionWeights.File but WeightsFile is not set; give the path of a .pth, .safetensors or TorchSharp weights file.", nameof(WeightsFile));
        if (Weights != TorchVisionWeights.File && WeightsFile is not null)
            throw new ArgumentException($"WeightsFile is set to '{WeightsFile}' but Weights is {Weights}; set Weights = TorchVisionWeights.File to load it.", nameof(WeightsFile));
    }
}
