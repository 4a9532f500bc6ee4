namespace TransferLearning.Backbones;

/// <summary>
/// How <see cref="EfficientNet"/> builds a backbone (torchvision: <c>efficientnet_b0(weights=...)</c> without <c>classifier</c>).
/// The values are copied when the backbone is created; later changes to this object have no effect on it.
/// </summary>
public sealed class EfficientNetOptions : TorchVisionBackboneOptions
{
    /// <summary>The model size. Default <see cref="EfficientNetVariant.B0"/>.</summary>
    public EfficientNetVariant Variant { get; set; } = EfficientNetVariant.B0;

    /// <summary>
    /// The probability, in training mode, of skipping the last block's residual branch for a sample; block i of n skips with
    /// this × i / n (torchvision's stochastic depth, mode <c>"row"</c>). 0 ≤ p &lt; 1; 0 turns it off. No effect in inference.
    /// Default 0.2 (torchvision's).
    /// </summary>
    public double StochasticDepthProbability { get; set; } = 0.2;

    internal EfficientNetOptions Copy()
    {
        var copy = new EfficientNetOptions
        {
            Variant = Variant,
            StochasticDepthProbability = StochasticDepthProbability,
        };
        copy.CopySharedFrom(this);
        return copy;
    }

    internal void Validate()
    {
        ValidateShared();
        if (!Enum.IsDefined(Variant)) throw new ArgumentOutOfRangeException(nameof(Variant), $"Unknown EfficientNetVariant value {(int)Variant}.");
        if (!(StochasticDepthProbability >= 0 && StochasticDepthProbability < 1))
            throw new ArgumentOutOfRangeException(nameof(StochasticDepthProbability), $"StochasticDepthProbability must be at least 0 and below 1; got {StochasticDepthProbability}.");
    }
}
