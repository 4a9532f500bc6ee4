namespace TransferLearning.Backbones;

/// <summary>
/// How <see cref="ConvNeXt"/> builds a backbone (torchvision: <c>convnext_tiny(weights=...)</c> without <c>classifier.2</c>, or
/// <c>ConvNeXt(block_setting)</c> for a custom <see cref="BlockConfigs"/>). The values are copied when the backbone is created;
/// later changes to this object have no effect on it.
/// </summary>
public sealed class ConvNeXtOptions : TorchVisionBackboneOptions
{
    /// <summary>The size, when <see cref="BlockConfigs"/> is <c>null</c>. Default <see cref="ConvNeXtVariant.Tiny"/>.</summary>
    public ConvNeXtVariant Variant { get; set; } = ConvNeXtVariant.Tiny;

    /// <summary>
    /// A custom stage configuration (torchvision's <c>block_setting</c>, a list of <c>CNBlockConfig</c>) instead of <see cref="Variant"/>'s,
    /// or <c>null</c> for the variant's. With a custom configuration <see cref="TorchVisionBackboneOptions.Weights"/> must be <see cref="TorchVisionWeights.None"/> or
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

    internal ConvNeXtOptions Copy()
    {
        var copy = new ConvNeXtOptions
        {
            Variant = Variant,
            BlockConfigs = BlockConfigs?.ToArray(),
            StochasticDepthProbability = StochasticDepthProbability,
            LayerScale = LayerScale,
        };
        copy.CopySharedFrom(this);
        return copy;
    }

    internal void Validate()
    {
        ValidateShared();
        if (!Enum.IsDefined(Variant)) throw new ArgumentOutOfRangeException(nameof(Variant), $"Unknown ConvNeXtVariant value {(int)Variant}.");
        if (BlockConfigs is not null) ConvNeXtBlockConfig.ValidateChain(BlockConfigs, nameof(BlockConfigs));
        if (StochasticDepthProbability is { } p && !(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(StochasticDepthProbability), $"StochasticDepthProbability must be between 0 and 1 (or null for the variant's default); got {p}.");
        if (!double.IsFinite(LayerScale)) throw new ArgumentOutOfRangeException(nameof(LayerScale), $"LayerScale must be finite; got {LayerScale}.");
        if (BlockConfigs is not null && Weights is TorchVisionWeights.ImageNet or TorchVisionWeights.ImageNetV1)
            throw new ArgumentException(
                $"BlockConfigs sets a custom configuration ({string.Join(", ", BlockConfigs)}) but Weights is TorchVisionWeights.{Weights}; the published weights fit the ConvNeXtVariant configurations only. Set Weights to None or File.",
                nameof(Weights));
    }
}
