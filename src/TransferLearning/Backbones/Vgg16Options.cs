namespace TransferLearning.Backbones;

/// <summary>
/// How <see cref="Vgg16"/> builds a backbone (Keras: <c>VGG16(weights=..., include_top=..., pooling=...)</c>).
/// The values are copied when the backbone is created; later changes to this object have no effect on it.
/// </summary>
public sealed class Vgg16Options
{
    /// <summary>Where the weights come from. Default <see cref="Vgg16Weights.ImageNet"/> (as Keras).</summary>
    public Vgg16Weights Weights { get; set; } = Vgg16Weights.ImageNet;

    /// <summary>The weights file when <see cref="Weights"/> is <see cref="Vgg16Weights.File"/>; otherwise must be <c>null</c>. Default <c>null</c>.</summary>
    public string? WeightsFile { get; set; }

    /// <summary>The format of <see cref="WeightsFile"/>. Default <see cref="WeightsFormat.Auto"/> (recognised from the file's first bytes).</summary>
    public WeightsFormat WeightsFormat { get; set; } = WeightsFormat.Auto;

    /// <summary>
    /// Whether to add torchvision's classifier (<c>avgpool</c> to 7×7, then <c>classifier.0/3/6</c>, 1000 ImageNet classes) for
    /// <see cref="Vgg16Backbone.PredictLogits"/>. Default <c>false</c> (Keras <c>include_top=False</c>): <c>classifier.*</c> keys
    /// in a weights file are then ignored.
    /// </summary>
    public bool IncludeTop { get; set; }

    /// <summary>How the feature map becomes one vector per image. Default <see cref="PoolingMode.GlobalAverage"/>.</summary>
    public PoolingMode Pooling { get; set; } = PoolingMode.GlobalAverage;

    /// <summary>The input transform run inside the model. Default <see cref="Vgg16Preprocessing.ImageNet"/> (what torchvision's weights expect).</summary>
    public Vgg16Preprocessing Preprocessing { get; set; } = Vgg16Preprocessing.ImageNet;

    /// <summary>Where <see cref="Vgg16Weights.ImageNet"/> weights are cached and how they are fetched. Default: a <see cref="WeightsCacheOptions"/> with its defaults.</summary>
    public WeightsCacheOptions Cache { get; set; } = new();

    internal Vgg16Options Copy() => new()
    {
        Weights = Weights,
        WeightsFile = WeightsFile,
        WeightsFormat = WeightsFormat,
        IncludeTop = IncludeTop,
        Pooling = Pooling,
        Preprocessing = Preprocessing,
        Cache = (Cache ?? throw new ArgumentNullException(nameof(Cache), "Vgg16Options.Cache must not be null.")).Copy(),
    };

    internal void Validate()
    {
        if (!Enum.IsDefined(Weights)) throw new ArgumentOutOfRangeException(nameof(Weights), $"Unknown Vgg16Weights value {(int)Weights}.");
        if (!Enum.IsDefined(WeightsFormat)) throw new ArgumentOutOfRangeException(nameof(WeightsFormat), $"Unknown WeightsFormat value {(int)WeightsFormat}.");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), $"Unknown PoolingMode value {(int)Pooling}.");
        if (!Enum.IsDefined(Preprocessing)) throw new ArgumentOutOfRangeException(nameof(Preprocessing), $"Unknown Vgg16Preprocessing value {(int)Preprocessing}.");
        if (Weights == Vgg16Weights.File && string.IsNullOrWhiteSpace(WeightsFile))
            throw new ArgumentException("Weights is Vgg16Weights.File but WeightsFile is not set; give the path of a .pth, .safetensors or TorchSharp weights file.", nameof(WeightsFile));
        if (Weights != Vgg16Weights.File && WeightsFile is not null)
            throw new ArgumentException($"WeightsFile is set to '{WeightsFile}' but Weights is {Weights}; set Weights = Vgg16Weights.File to load it.", nameof(WeightsFile));
    }
}
