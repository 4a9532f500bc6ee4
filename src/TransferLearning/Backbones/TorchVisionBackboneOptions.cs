namespace TransferLearning.Backbones;

/// <summary>
/// What every native torchvision family's options share (<see cref="ResNetOptions"/>, <see cref="EfficientNetOptions"/>,
/// <see cref="MobileNetV3Options"/>, <see cref="ConvNeXtOptions"/>): where the weights come from, how the feature map is
/// pooled, the input transform and the weights cache. The values are copied when a backbone is created; later changes to
/// the object have no effect on it.
/// </summary>
public abstract class TorchVisionBackboneOptions
{
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

    /// <summary>Copies the shared values of <paramref name="source"/> into this object (the cache options too).</summary>
    private protected void CopySharedFrom(TorchVisionBackboneOptions source)
    {
        Weights = source.Weights;
        WeightsFile = source.WeightsFile;
        WeightsFormat = source.WeightsFormat;
        Pooling = source.Pooling;
        Preprocessing = source.Preprocessing;
        Cache = (source.Cache ?? throw new ArgumentNullException(nameof(Cache), $"{source.GetType().Name}.Cache must not be null.")).Copy();
    }

    /// <summary>Checks the shared values; the error names the property and the bad value.</summary>
    private protected void ValidateShared()
    {
        if (!Enum.IsDefined(Weights)) throw new ArgumentOutOfRangeException(nameof(Weights), $"Unknown TorchVisionWeights value {(int)Weights}.");
        if (!Enum.IsDefined(WeightsFormat)) throw new ArgumentOutOfRangeException(nameof(WeightsFormat), $"Unknown WeightsFormat value {(int)WeightsFormat}.");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), $"Unknown PoolingMode value {(int)Pooling}.");
        if (!Enum.IsDefined(Preprocessing)) throw new ArgumentOutOfRangeException(nameof(Preprocessing), $"Unknown TorchVisionPreprocessing value {(int)Preprocessing}.");
        if (Weights == TorchVisionWeights.File && string.IsNullOrWhiteSpace(WeightsFile))
            throw new ArgumentException("Weights is TorchVisionWeights.File but WeightsFile is not set; give the path of a .pth, .safetensors or TorchSharp weights file.", nameof(WeightsFile));
        if (Weights != TorchVisionWeights.File && WeightsFile is not null)
            throw new ArgumentException($"WeightsFile is set to '{WeightsFile}' but Weights is {Weights}; set Weights = TorchVisionWeights.File to load it.", nameof(WeightsFile));
    }

    /// <summary>The weights file to load: <see cref="WeightsFile"/>, the published ImageNet file fetched into the cache, or <c>null</c> for a random initialisation.</summary>
    internal async Task<string?> ResolveWeightsAsync(Func<PretrainedWeights> published, CancellationToken cancellationToken) => Weights switch
    {
        TorchVisionWeights.File => WeightsFile,
        TorchVisionWeights.ImageNet or TorchVisionWeights.ImageNetV1 =>
            await new WeightsCache(Cache).GetFileAsync(published(), cancellationToken).ConfigureAwait(false),
        _ => null,
    };

    /// <summary>The module for <see cref="Preprocessing"/>.</summary>
    internal ImagePreprocessing CreatePreprocessing() =>
        Preprocessing == TorchVisionPreprocessing.Identity ? ImagePreprocessing.Identity() : ImagePreprocessing.ImageNet();
}
