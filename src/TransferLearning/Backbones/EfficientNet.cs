using TransferLearning.Native;

namespace TransferLearning.Backbones;

/// <summary>
/// Builds torchvision's EfficientNet-B0 … B3 as backbones (<c>features</c>, without <c>classifier</c>), in torchvision's key
/// layout, with torchvision's ImageNet weights from the <see cref="WeightsCache"/>, weights from a file, or a random
/// initialisation. Preprocessing: torchvision's ImageNet mean and standard deviation (<see cref="ImagePreprocessing.ImageNet"/>),
/// as for ResNet. torchvision evaluated its weights at 224 (B0), 240 (B1), 288 (B2) and 300 (B3) pixels: see
/// <see cref="RecommendedInputSize"/>.
/// </summary>
public static class EfficientNet
{
    private const string Published = "https://download.pytorch.org/models/";

    // torchvision 0.14 names B0, B2 and B3's files …_rwightman-3dd342df, -bcdf34b7 and -cf984f9c, but the bytes published
    // there hash to 7f5810bc…, c35c1473… and b3899882… (pytorch/vision #7744, #8060); torchvision's fix (#8036) renamed the
    // files to those prefixes, which these entries use, so the SHA-256 check passes.

    /// <summary>torchvision's <c>EfficientNet_B0_Weights.IMAGENET1K_V1</c> (its <c>DEFAULT</c>, ported from the paper's TensorFlow weights).</summary>
    public static PretrainedWeights B0ImageNet1KV1 { get; } = Weights("efficientnet_b0-imagenet1k-v1", "efficientnet_b0_rwightman-7f5810bc.pth", "7f5810bc");

    /// <summary>torchvision's <c>EfficientNet_B1_Weights.IMAGENET1K_V1</c> (ported from the paper's weights).</summary>
    public static PretrainedWeights B1ImageNet1KV1 { get; } = Weights("efficientnet_b1-imagenet1k-v1", "efficientnet_b1_rwightman-533bc792.pth", "533bc792");

    /// <summary>torchvision's <c>EfficientNet_B1_Weights.IMAGENET1K_V2</c> (its <c>DEFAULT</c>, torchvision's newer training recipe).</summary>
    public static PretrainedWeights B1ImageNet1KV2 { get; } = Weights("efficientnet_b1-imagenet1k-v2", "efficientnet_b1-c27df63c.pth", "c27df63c");

    /// <summary>torchvision's <c>EfficientNet_B2_Weights.IMAGENET1K_V1</c> (its <c>DEFAULT</c>).</summary>
    public static PretrainedWeights B2ImageNet1KV1 { get; } = Weights("efficientnet_b2-imagenet1k-v1", "efficientnet_b2_rwightman-c35c1473.pth", "c35c1473");

    /// <summary>torchvision's <c>EfficientNet_B3_Weights.IMAGENET1K_V1</c> (its <c>DEFAULT</c>).</summary>
    public static PretrainedWeights B3ImageNet1KV1 { get; } = Weights("efficientnet_b3-imagenet1k-v1", "efficientnet_b3_rwightman-b3899882.pth", "b3899882");

    /// <summary>The published ImageNet weights of a variant.</summary>
    /// <param name="variant">The model size.</param>
    /// <param name="weights"><see cref="TorchVisionWeights.ImageNet"/> (torchvision's <c>DEFAULT</c>) or <see cref="TorchVisionWeights.ImageNetV1"/>. Default <see cref="TorchVisionWeights.ImageNet"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="weights"/> names no published file (<see cref="TorchVisionWeights.None"/> or <see cref="TorchVisionWeights.File"/>).</exception>
    public static PretrainedWeights GetImageNetWeights(EfficientNetVariant variant, TorchVisionWeights weights = TorchVisionWeights.ImageNet)
    {
        if (weights is not (TorchVisionWeights.ImageNet or TorchVisionWeights.ImageNetV1))
            throw new ArgumentException($"weights must be TorchVisionWeights.ImageNet or TorchVisionWeights.ImageNetV1 to name a published file; got {weights}.", nameof(weights));
        return variant switch
        {
            EfficientNetVariant.B0 => B0ImageNet1KV1,
            EfficientNetVariant.B1 => weights == TorchVisionWeights.ImageNetV1 ? B1ImageNet1KV1 : B1ImageNet1KV2,
            EfficientNetVariant.B2 => B2ImageNet1KV1,
            EfficientNetVariant.B3 => B3ImageNet1KV1,
            _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown EfficientNetVariant value {(int)variant}."),
        };
    }

    /// <summary>
    /// The image size torchvision evaluated a variant's ImageNet weights at (the centre crop of its <c>transforms</c>): B0 224
    /// (resized to 256 first), B1 240 (256, or 255 for the V2 weights), B2 288 (288), B3 300 (320); torchvision resizes with
    /// bicubic interpolation, except bilinear for B1's V2 weights.
    /// </summary>
    /// <param name="variant">The model size.</param>
    public static int RecommendedInputSize(EfficientNetVariant variant) => variant switch
    {
        EfficientNetVariant.B0 => 224,
        EfficientNetVariant.B1 => 240,
        EfficientNetVariant.B2 => 288,
        EfficientNetVariant.B3 => 300,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown EfficientNetVariant value {(int)variant}."),
    };

    /// <summary>
    /// Creates a backbone. With ImageNet weights this may download 21 to 49 MB the first time (blocking);
    /// prefer <see cref="CreateAsync"/> in UI or server code.
    /// </summary>
    /// <param name="options">What to build; <c>null</c> for the defaults (B0, torchvision's default ImageNet weights, global average pooling). Copied.</param>
    /// <returns>A new backbone on the CPU, in training mode, with every layer trainable.</returns>
    public static EfficientNetBackbone Create(EfficientNetOptions? options = null) =>
        CreateAsync(options, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Creates a backbone, fetching ImageNet weights into the cache when needed.</summary>
    /// <param name="options">What to build; <c>null</c> for the defaults (B0, torchvision's default ImageNet weights, global average pooling). Copied.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <returns>A new backbone on the CPU, in training mode, with every layer trainable.</returns>
    public static async Task<EfficientNetBackbone> CreateAsync(EfficientNetOptions? options = null, CancellationToken cancellationToken = default)
    {
        var o = (options ?? new EfficientNetOptions()).Copy();
        o.Validate();
        TorchNative.EnsureLoaded();

        string? weightsPath = await o.ResolveWeightsAsync(() => GetImageNetWeights(o.Variant, o.Weights), cancellationToken).ConfigureAwait(false);

        // Built in a dispose scope that keeps only the model's own tensors (TorchSharp's initialisers leave others behind).
        var backbone = ModuleTensors.Build(() => EfficientNetBackbone.Build(Name(o.Variant), new EfficientNetFeatures(o.Variant, o.StochasticDepthProbability), o.Pooling,
            o.CreatePreprocessing()));
        return PretrainedBackbone.WithWeights(backbone, weightsPath, o.WeightsFormat);
    }

    /// <summary>torchvision's model name: <c>efficientnet_b0</c>, <c>efficientnet_b1</c>, <c>efficientnet_b2</c> or <c>efficientnet_b3</c>.</summary>
    /// <param name="variant">The model size.</param>
    public static string Name(EfficientNetVariant variant) => variant switch
    {
        EfficientNetVariant.B0 => "efficientnet_b0",
        EfficientNetVariant.B1 => "efficientnet_b1",
        EfficientNetVariant.B2 => "efficientnet_b2",
        EfficientNetVariant.B3 => "efficientnet_b3",
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown EfficientNetVariant value {(int)variant}."),
    };

    private static PretrainedWeights Weights(string name, string fileName, string sha256) =>
        new(name, fileName, new Uri(Published + fileName), sha256);
}
