using TransferLearning.Native;

namespace TransferLearning.Backbones;

/// <summary>
/// Builds torchvision's ResNet-18, -34, -50 and -101 as backbones (the trunk up to <c>layer4</c>, without <c>fc</c>), in
/// torchvision's key layout, with torchvision's ImageNet weights from the <see cref="WeightsCache"/>, weights from a file,
/// or a random initialisation.
/// </summary>
public static class ResNet
{
    private const string Published = "https://download.pytorch.org/models/";

    /// <summary>torchvision's <c>ResNet18_Weights.IMAGENET1K_V1</c> (its <c>DEFAULT</c>): the file, its published address and its SHA-256 prefix.</summary>
    public static PretrainedWeights ResNet18ImageNet1KV1 { get; } = Weights("resnet18-imagenet1k-v1", "resnet18-f37072fd.pth", "f37072fd");

    /// <summary>torchvision's <c>ResNet34_Weights.IMAGENET1K_V1</c> (its <c>DEFAULT</c>).</summary>
    public static PretrainedWeights ResNet34ImageNet1KV1 { get; } = Weights("resnet34-imagenet1k-v1", "resnet34-b627a593.pth", "b627a593");

    /// <summary>torchvision's <c>ResNet50_Weights.IMAGENET1K_V1</c> (the original training).</summary>
    public static PretrainedWeights ResNet50ImageNet1KV1 { get; } = Weights("resnet50-imagenet1k-v1", "resnet50-0676ba61.pth", "0676ba61");

    /// <summary>torchvision's <c>ResNet50_Weights.IMAGENET1K_V2</c> (its <c>DEFAULT</c>, the newer training recipe).</summary>
    public static PretrainedWeights ResNet50ImageNet1KV2 { get; } = Weights("resnet50-imagenet1k-v2", "resnet50-11ad3fa6.pth", "11ad3fa6");

    /// <summary>torchvision's <c>ResNet101_Weights.IMAGENET1K_V1</c> (the original training).</summary>
    public static PretrainedWeights ResNet101ImageNet1KV1 { get; } = Weights("resnet101-imagenet1k-v1", "resnet101-63fe2227.pth", "63fe2227");

    /// <summary>torchvision's <c>ResNet101_Weights.IMAGENET1K_V2</c> (its <c>DEFAULT</c>, the newer training recipe).</summary>
    public static PretrainedWeights ResNet101ImageNet1KV2 { get; } = Weights("resnet101-imagenet1k-v2", "resnet101-cd907fc2.pth", "cd907fc2");

    /// <summary>The published ImageNet weights of a depth.</summary>
    /// <param name="variant">The depth.</param>
    /// <param name="weights"><see cref="TorchVisionWeights.ImageNet"/> (torchvision's <c>DEFAULT</c>) or <see cref="TorchVisionWeights.ImageNetV1"/>. Default <see cref="TorchVisionWeights.ImageNet"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="weights"/> names no published file (<see cref="TorchVisionWeights.None"/> or <see cref="TorchVisionWeights.File"/>).</exception>
    public static PretrainedWeights GetImageNetWeights(ResNetVariant variant, TorchVisionWeights weights = TorchVisionWeights.ImageNet)
    {
        if (weights is not (TorchVisionWeights.ImageNet or TorchVisionWeights.ImageNetV1))
            throw new ArgumentException($"weights must be TorchVisionWeights.ImageNet or TorchVisionWeights.ImageNetV1 to name a published file; got {weights}.", nameof(weights));
        bool v1 = weights == TorchVisionWeights.ImageNetV1;
        return variant switch
        {
            ResNetVariant.ResNet18 => ResNet18ImageNet1KV1,
            ResNetVariant.ResNet34 => ResNet34ImageNet1KV1,
            ResNetVariant.ResNet50 => v1 ? ResNet50ImageNet1KV1 : ResNet50ImageNet1KV2,
            ResNetVariant.ResNet101 => v1 ? ResNet101ImageNet1KV1 : ResNet101ImageNet1KV2,
            _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown ResNetVariant value {(int)variant}."),
        };
    }

    /// <summary>The block type and the blocks per layer of a depth, as torchvision's <c>resnet18</c> … <c>resnet101</c>.</summary>
    /// <param name="variant">The depth.</param>
    public static (ResNetBlockKind Block, IReadOnlyList<int> LayerCounts) GetArchitecture(ResNetVariant variant) => variant switch
    {
        ResNetVariant.ResNet18 => (ResNetBlockKind.Basic, new[] { 2, 2, 2, 2 }),
        ResNetVariant.ResNet34 => (ResNetBlockKind.Basic, new[] { 3, 4, 6, 3 }),
        ResNetVariant.ResNet50 => (ResNetBlockKind.Bottleneck, new[] { 3, 4, 6, 3 }),
        ResNetVariant.ResNet101 => (ResNetBlockKind.Bottleneck, new[] { 3, 4, 23, 3 }),
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown ResNetVariant value {(int)variant}."),
    };

    /// <summary>
    /// Creates a backbone. With ImageNet weights this may download 47 to 178 MB the first time (blocking);
    /// prefer <see cref="CreateAsync"/> in UI or server code.
    /// </summary>
    /// <param name="options">What to build; <c>null</c> for the defaults (ResNet-50, torchvision's default ImageNet weights, global average pooling). Copied.</param>
    /// <returns>A new backbone on the CPU, in training mode, with every layer trainable.</returns>
    public static ResNetBackbone Create(ResNetOptions? options = null) =>
        CreateAsync(options, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Creates a backbone, fetching ImageNet weights into the cache when needed.</summary>
    /// <param name="options">What to build; <c>null</c> for the defaults (ResNet-50, torchvision's default ImageNet weights, global average pooling). Copied.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <returns>A new backbone on the CPU, in training mode, with every layer trainable.</returns>
    public static async Task<ResNetBackbone> CreateAsync(ResNetOptions? options = null, CancellationToken cancellationToken = default)
    {
        var o = (options ?? new ResNetOptions()).Copy();
        o.Validate();
        TorchNative.EnsureLoaded();

        string? weightsPath = await o.ResolveWeightsAsync(() => GetImageNetWeights(o.Variant, o.Weights), cancellationToken).ConfigureAwait(false);

        var (block, layerCounts) = GetArchitecture(o.Variant);
        // Built in a dispose scope that keeps only the model's own tensors (TorchSharp's initialisers leave others behind).
        var backbone = ModuleTensors.Build(() => ResNetBackbone.Build(Name(o.Variant), new ResNetFeatures(block, layerCounts), o.Pooling,
            o.CreatePreprocessing()));
        return PretrainedBackbone.WithWeights(backbone, weightsPath, o.WeightsFormat);
    }

    /// <summary>torchvision's model name: <c>resnet18</c>, <c>resnet34</c>, <c>resnet50</c> or <c>resnet101</c>.</summary>
    /// <param name="variant">The depth.</param>
    public static string Name(ResNetVariant variant) => variant switch
    {
        ResNetVariant.ResNet18 => "resnet18",
        ResNetVariant.ResNet34 => "resnet34",
        ResNetVariant.ResNet50 => "resnet50",
        ResNetVariant.ResNet101 => "resnet101",
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown ResNetVariant value {(int)variant}."),
    };

    private static PretrainedWeights Weights(string name, string fileName, string sha256) =>
        new(name, fileName, new Uri(Published + fileName), sha256);
}
