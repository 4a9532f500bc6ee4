using TransferLearning.Native;

namespace TransferLearning.Backbones;

/// <summary>
/// Builds torchvision's ConvNeXt-Tiny, -Small, -Base and -Large, or a custom stage configuration, as backbones (the trunk, global
/// pooling and the <c>classifier.0</c> layer norm, without the final linear layer; see <see cref="ConvNeXtBackbone"/>), in
/// torchvision's key layout, with torchvision's ImageNet weights from the <see cref="WeightsCache"/>, weights from a file, or a
/// random initialisation.
/// </summary>
public static class ConvNeXt
{
    private const string Published = "https://download.pytorch.org/models/";

    /// <summary>
    /// torchvision's <c>ConvNeXt_Tiny_Weights.IMAGENET1K_V1</c> (its <c>DEFAULT</c>, 82.52 % top-1): the file, its published address and its
    /// SHA-256 prefix. Evaluated at 224×224 after a bilinear resize of the shorter side to 236.
    /// </summary>
    public static PretrainedWeights ConvNeXtTinyImageNet1KV1 { get; } = Weights("convnext_tiny-imagenet1k-v1", "convnext_tiny-983f1562.pth", "983f1562");

    /// <summary>torchvision's <c>ConvNeXt_Small_Weights.IMAGENET1K_V1</c> (its <c>DEFAULT</c>, 83.62 % top-1; resize 230, crop 224).</summary>
    public static PretrainedWeights ConvNeXtSmallImageNet1KV1 { get; } = Weights("convnext_small-imagenet1k-v1", "convnext_small-0c510722.pth", "0c510722");

    /// <summary>torchvision's <c>ConvNeXt_Base_Weights.IMAGENET1K_V1</c> (its <c>DEFAULT</c>, 84.06 % top-1; resize 232, crop 224).</summary>
    public static PretrainedWeights ConvNeXtBaseImageNet1KV1 { get; } = Weights("convnext_base-imagenet1k-v1", "convnext_base-6075fbad.pth", "6075fbad");

    /// <summary>torchvision's <c>ConvNeXt_Large_Weights.IMAGENET1K_V1</c> (its <c>DEFAULT</c>, 84.41 % top-1; resize 232, crop 224).</summary>
    public static PretrainedWeights ConvNeXtLargeImageNet1KV1 { get; } = Weights("convnext_large-imagenet1k-v1", "convnext_large-ea097f82.pth", "ea097f82");

    /// <summary>The published ImageNet weights of a size (torchvision's <c>IMAGENET1K_V1</c>, the only and default ones).</summary>
    /// <param name="variant">The size.</param>
    public static PretrainedWeights GetImageNetWeights(ConvNeXtVariant variant) => variant switch
    {
        ConvNeXtVariant.Tiny => ConvNeXtTinyImageNet1KV1,
        ConvNeXtVariant.Small => ConvNeXtSmallImageNet1KV1,
        ConvNeXtVariant.Base => ConvNeXtBaseImageNet1KV1,
        ConvNeXtVariant.Large => ConvNeXtLargeImageNet1KV1,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown ConvNeXtVariant value {(int)variant}."),
    };

    /// <summary>The stages of a size, as torchvision's <c>convnext_tiny</c> … <c>convnext_large</c> pass them to <c>ConvNeXt</c>.</summary>
    /// <param name="variant">The size.</param>
    public static IReadOnlyList<ConvNeXtBlockConfig> GetBlockConfigs(ConvNeXtVariant variant) => variant switch
    {
        ConvNeXtVariant.Tiny => Stages(96, 3, 3, 9, 3),
        ConvNeXtVariant.Small => Stages(96, 3, 3, 27, 3),
        ConvNeXtVariant.Base => Stages(128, 3, 3, 27, 3),
        ConvNeXtVariant.Large => Stages(192, 3, 3, 27, 3),
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown ConvNeXtVariant value {(int)variant}."),
    };

    /// <summary>torchvision's builder default for the last block's stochastic-depth probability: 0.1 for Tiny, 0.4 for Small, 0.5 for Base and Large.</summary>
    /// <param name="variant">The size.</param>
    public static double DefaultStochasticDepthProbability(ConvNeXtVariant variant) => variant switch
    {
        ConvNeXtVariant.Tiny => 0.1,
        ConvNeXtVariant.Small => 0.4,
        ConvNeXtVariant.Base or ConvNeXtVariant.Large => 0.5,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown ConvNeXtVariant value {(int)variant}."),
    };

    /// <summary>
    /// Creates a backbone. With ImageNet weights this may download 109 to 755 MB the first time (blocking);
    /// prefer <see cref="CreateAsync"/> in UI or server code.
    /// </summary>
    /// <param name="options">What to build; <c>null</c> for the defaults (ConvNeXt-Tiny, torchvision's ImageNet weights, global average pooling). Copied.</param>
    /// <returns>A new backbone on the CPU, in training mode, with every layer trainable.</returns>
    public static ConvNeXtBackbone Create(ConvNeXtOptions? options = null) =>
        CreateAsync(options, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Creates a backbone, fetching ImageNet weights into the cache when needed.</summary>
    /// <param name="options">What to build; <c>null</c> for the defaults (ConvNeXt-Tiny, torchvision's ImageNet weights, global average pooling). Copied.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <returns>A new backbone on the CPU, in training mode, with every layer trainable.</returns>
    public static async Task<ConvNeXtBackbone> CreateAsync(ConvNeXtOptions? options = null, CancellationToken cancellationToken = default)
    {
        var o = (options ?? new ConvNeXtOptions()).Copy();
        o.Validate();
        TorchNative.EnsureLoaded();

        string? weightsPath = await o.ResolveWeightsAsync(() => GetImageNetWeights(o.Variant), cancellationToken).ConfigureAwait(false);

        bool custom = o.BlockConfigs is not null;
        var configs = o.BlockConfigs ?? GetBlockConfigs(o.Variant);
        double probability = o.StochasticDepthProbability ?? (custom ? 0.0 : DefaultStochasticDepthProbability(o.Variant));
        string name = custom ? CustomName : Name(o.Variant);
        // Built in a dispose scope that keeps only the model's own tensors (TorchSharp's initialisers leave others behind).
        var backbone = ModuleTensors.Build(() => ConvNeXtBackbone.Build(name, new ConvNeXtFeatures(configs, probability, o.LayerScale), o.Pooling,
            o.CreatePreprocessing()));
        return PretrainedBackbone.WithWeights(backbone, weightsPath, o.WeightsFormat);
    }

    /// <summary>The name of a backbone built from a custom <see cref="ConvNeXtOptions.BlockConfigs"/>: <c>convnext</c>.</summary>
    public const string CustomName = "convnext";

    /// <summary>torchvision's model name: <c>convnext_tiny</c>, <c>convnext_small</c>, <c>convnext_base</c> or <c>convnext_large</c>.</summary>
    /// <param name="variant">The size.</param>
    public static string Name(ConvNeXtVariant variant) => variant switch
    {
        ConvNeXtVariant.Tiny => "convnext_tiny",
        ConvNeXtVariant.Small => "convnext_small",
        ConvNeXtVariant.Base => "convnext_base",
        ConvNeXtVariant.Large => "convnext_large",
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown ConvNeXtVariant value {(int)variant}."),
    };

    /// <summary>Four stages of widths w, 2w, 4w, 8w with the given block counts, each but the last ending in a downsampling layer.</summary>
    private static ConvNeXtBlockConfig[] Stages(int width, int a, int b, int c, int d) => new ConvNeXtBlockConfig[]
    {
        new(width, width * 2, a),
        new(width * 2, width * 4, b),
        new(width * 4, width * 8, c),
        new(width * 8, null, d),
    };

    private static PretrainedWeights Weights(string name, string fileName, string sha256) =>
        new(name, fileName, new Uri(Published + fileName), sha256);
}
