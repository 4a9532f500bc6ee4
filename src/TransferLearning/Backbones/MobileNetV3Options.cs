namespace TransferLearning.Backbones;

/// <summary>
/// How <see cref="MobileNetV3"/> builds a backbone (torchvision: <c>mobilenet_v3_large(weights=...)</c> without <c>classifier</c>).
/// The values are copied when the backbone is created; later changes to this object have no effect on it.
/// </summary>
public sealed class MobileNetV3Options : TorchVisionBackboneOptions
{
    /// <summary>The model size. Default <see cref="MobileNetV3Variant.Large"/>.</summary>
    public MobileNetV3Variant Variant { get; set; } = MobileNetV3Variant.Large;

    internal MobileNetV3Options Copy()
    {
        var copy = new MobileNetV3Options
        {
            Variant = Variant,
        };
        copy.CopySharedFrom(this);
        return copy;
    }

    internal void Validate()
    {
        ValidateShared();
        if (!Enum.IsDefined(Variant)) throw new ArgumentOutOfRangeException(nameof(Variant), $"Unknown MobileNetV3Variant value {(int)Variant}.");
    }
}
