namespace TransferLearning.Backbones;

/// <summary>
/// How <see cref="EfficientNet"/> builds a backbone (torchvision: <c>efficientnet_b0(weights=...)</c> without <c>classifier</c>).
/// The values are copied when the backbone is created; later changes to this object have no effect on it.
/// </summary>
public sealed class EfficientNetOptions
{
    /// <summary>The model size. Default <see cref="EfficientNetVariant.B0"/>.</summary>
    public EfficientNetVariant Variant { get; set; } = EfficientNetVariant.B0;

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

    /// <summary>
    /// The probability, in training mode, of skipping the last block's residual branch for a sample; block i of n skips with
    /// this × i / n (torchvision's stochastic depth, mode <c>"row"</c>). 0 ≤ p &lt; 1; 0 turns it off. No effect in inference.
    /// Default 0.2 (torchvision's).
    /// </summary>
    public double StochasticDepthProbability { get; set; } = 0.2;

    /// <summary>Where ImageNet weights are cached and how they are fetched. Default: a <see cref="WeightsCacheOptions"/> with its defaults.</summary>
    public WeightsCacheOptions Cache { get; set; } = new();

    internal EfficientNetOptions Copy() => new()
    {
        Variant = Variant,
        Weights = Weights,
        WeightsFile = WeightsFile,
        WeightsFormat = WeightsFormat,
        Pooling = Pooling,
        Preprocessing = Preprocessing,
        StochasticDepthProbability = StochasticDepthProbability,
        Cache = (Cache ?? throw new ArgumentNullException(nameof(Cache), "EfficientNetOptions.Cache must not be null.")).Copy(),
    };

    internal void Validate()
    {
        if (!Enum.IsDefined(Variant)) throw new ArgumentOutOfRangeException(nameof(Variant), $"Unknown EfficientNetVariant value {(int)Variant}.");
        if (!Enum.IsDefined(Weights)) throw new ArgumentOutOfRangeException(nameof(Weights), $"Unknown TorchVisionWeights value {(int)Weights}.");
        if (!Enum.IsDefined(WeightsFormat)) throw new ArgumentOutOfRangeException(nameof(WeightsFormat), $"Unknown WeightsFormat value {(int)WeightsFormat}.");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), $"Unknown PoolingMode value {(int)Pooling}.");
        if (!Enum.IsDefined(Preprocessing)) throw new ArgumentOutOfRangeException(nameof(Preprocessing), $"Unknown TorchVisionPreprocessing value {(int)Preprocessing}.");
        if (!(StochasticDepthProbability >= 0 && StochasticDepthProbability < 1))
            throw new ArgumentOutOfRangeException(nameof(StochasticDepthProbability), $"StochasticDepthProbability must be at least 0 and below 1; got {StochasticDepthProbability}.");
        if (Weights == TorchVisionWeights.File && string.IsNullOrWhiteSpace(WeightsFile))
            throw new ArgumentException("Weights is TorchVisionWeights.File but WeightsFile is not set; give the path of a .pth, .safetensors or TorchSharp weights file.", nameof(WeightsFile));
        if (Weights != TorchVisionWeights.File && WeightsFile is not null)
            throw new ArgumentException($"WeightsFile is set to '{WeightsFile}' but Weights is {Weights}; set Weights = TorchVisionWeights.File to load it.", nameof(WeightsFile));
    }
}
