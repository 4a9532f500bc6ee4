using TransferLearning.Native;

namespace TransferLearning.Backbones;

/// <summary>
/// Builds torchvision's MobileNetV3-Small and -Large as backbones (<c>features</c>, without <c>classifier</c>), in torchvision's
/// key layout, with torchvision's ImageNet weights from the <see cref="WeightsCache"/>, weights from a file, or a random
/// initialisation. Preprocessing: torchvision's ImageNet mean and standard deviation (<see cref="ImagePreprocessing.ImageNet"/>),
/// as for ResNet; torchvision evaluated the weights at 224 pixels (<see cref="RecommendedInputSize"/>).
/// </summary>
/// <remarks>
/// This is torchvision's architecture, not the TorchVision NuGet package's, whose squeeze-excitation uses ReLU6 where
/// torchvision uses ReLU (so torchvision's weights would compute something else there).
/// </remarks>
public static class MobileNetV3
{
    private const string Published = "https://download.pytorch.org/models/";

    /// <summary>torchvision's <c>MobileNet_V3_Small_Weights.IMAGENET1K_V1</c> (its <c>DEFAULT</c>).</summary>
    public static PretrainedWeights SmallImageNet1KV1 { get; } = Weights("mobilenet_v3_small-imagenet1k-v1", "mobilenet_v3_small-047dcff4.pth", "047dcff4");

    /// <summary>torchvision's <c>MobileNet_V3_Large_Weights.IMAGENET1K_V1</c> (the original training).</summary>
    public static PretrainedWeights LargeImageNet1KV1 { get; } = Weights("mobilenet_v3_large-imagenet1k-v1", "mobilenet_v3_large-8738ca79.pth", "8738ca79");

    /// <summary>torchvision's <c>MobileNet_V3_Large_Weights.IMAGENET1K_V2</c> (its <c>DEFAULT</c>, the newer training recipe).</summary>
    public static PretrainedWeights LargeImageNet1KV2 { get; } = Weights("mobilenet_v3_large-imagenet1k-v2", "mobilenet_v3_large-5c1a4163.pth", "5c1a4163");

    /// <summary>The published ImageNet weights of a variant.</summary>
    /// <param name="variant">The model size.</param>
    /// <param name="weights"><see cref="TorchVisionWeights.ImageNet"/> (torchvision's <c>DEFAULT</c>) or <see cref="TorchVisionWeights.ImageNetV1"/>. Default <see cref="TorchVisionWeights.ImageNet"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="weights"/> names no published file (<see cref="TorchVisionWeights.None"/> or <see cref="TorchVisionWeights.File"/>).</exception>
    public static PretrainedWeights GetImageNetWeights(MobileNetV3Variant variant, TorchVisionWeights weights = TorchVisionWeights.ImageNet)
    {
        if (weights is not (TorchVisionWeights.ImageNet or TorchVisionWeights.ImageNetV1))
            throw new ArgumentException($"weights must be TorchVisionWeights.ImageNet or TorchVisionWeights.ImageNetV1 to name a published file; got {weights}.", nameof(weights));
        return variant switch
        {
            MobileNetV3Variant.Small => SmallImageNet1KV1,
            MobileNetV3Variant.Large => weights == TorchVisionWeights.ImageNetV1 ? LargeImageNet1KV1 : LargeImageNet1KV2,
            _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown MobileNetV3Variant value {(int)variant}."),
        };
    }

    /// <summary>
    /// The image size torchvision evaluated a variant's ImageNet weights at: 224 for both (resized to 256 first, or 232 for
    /// Large's V2 weights, with bilinear interpolation, then centre-cropped).
    /// </summary>
    /// <param name="variant">The model size.</param>
    public static int RecommendedInputSize(MobileNetV3Variant variant) => variant switch
    {
        MobileNetV3Variant.Small or MobileNetV3Variant.Large => 224,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown MobileNetV3Variant value {(int)variant}."),
    };

    /// <summary>
    /// Creates a backbone. With ImageNet weights this may download 10 to 22 MB the first time (blocking);
    /// prefer <see cref="CreateAsync"/> in UI or server code.
    /// </summary>
    /// <param name="options">What to build; <c>null</c> for the defaults (Large, torchvision's default ImageNet weights, global average pooling). Copied.</param>
    /// <returns>A new backbone on the CPU, in training mode, with every layer trainable.</returns>
    public static MobileNetV3Backbone Create(MobileNetV3Options? options = null) =>
        CreateAsync(options, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Creates a backbone, fetching ImageNet weights into the cache when needed.</summary>
    /// <param name="options">What to build; <c>null</c> for the defaults (Large, torchvision's default ImageNet weights, global average pooling). Copied.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <returns>A new backbone on the CPU, in training mode, with every layer trainable.</returns>
    public static async Task<MobileNetV3Backbone> CreateAsync(MobileNetV3Options? options = null, CancellationToken cancellationToken = default)
    {
        var o = (options ?? new MobileNetV3Options()).Copy();
        o.Validate();
        TorchNative.EnsureLoaded();

        string? weightsPath = await o.ResolveWeightsAsync(() => GetImageNetWeights(o.Variant, o.Weights), cancellationToken).ConfigureAwait(false);

        // Built in a dispose scope that keeps only the model's own tensors (TorchSharp's initialisers leave others behind).
        var backbone = ModuleTensors.Build(() => MobileNetV3Backbone.Build(Name(o.Variant), new MobileNetV3Features(o.Variant), o.Pooling,
            o.CreatePreprocessing()));
        return PretrainedBackbone.WithWeights(backbone, weightsPath, o.WeightsFormat);
    }

    /// <summary>torchvision's model name: <c>mobilenet_v3_small</c> or <c>mobilenet_v3_large</c>.</summary>
    /// <param name="variant">The model size.</param>
    public static string Name(MobileNetV3Variant variant) => variant switch
    {
        MobileNetV3Variant.Small => "mobilenet_v3_small",
        MobileNetV3Variant.Large => "mobilenet_v3_large",
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown MobileNetV3Variant value {(int)variant}."),
    };

    private static PretrainedWeights Weights(string name, string fileName, string sha256) =>
        new(name, fileName, new Uri(Published + fileName), sha256);
}
