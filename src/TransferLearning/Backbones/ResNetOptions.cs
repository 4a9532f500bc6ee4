namespace TransferLearning.Backbones;

/// <summary>
/// How <see cref="ResNet"/> builds a backbone (torchvision: <c>resnet50(weights=...)</c> without <c>fc</c>).
/// The values are copied when the backbone is created; later changes to this object have no effect on it.
/// </summary>
public sealed class ResNetOptions : TorchVisionBackboneOptions
{
    /// <summary>The depth. Default <see cref="ResNetVariant.ResNet50"/>.</summary>
    public ResNetVariant Variant { get; set; } = ResNetVariant.ResNet50;

    internal ResNetOptions Copy()
    {
        var copy = new ResNetOptions
        {
            Variant = Variant,
        };
        copy.CopySharedFrom(this);
        return copy;
    }

    internal void Validate()
    {
        ValidateShared();
        if (!Enum.IsDefined(Variant)) throw new ArgumentOutOfRangeException(nameof(Variant), $"Unknown ResNetVariant value {(int)Variant}.");
    }
}
