namespace TransferLearning.Backbones;

/// <summary>The residual block a <see cref="ResNetFeatures"/> trunk is built from (torchvision's <c>BasicBlock</c> or <c>Bottleneck</c>).</summary>
public enum ResNetBlockKind
{
    /// <summary>Two 3×3 convolutions per block, no channel expansion (ResNet-18 and -34).</summary>
    Basic,

    /// <summary>1×1, 3×3 (carrying the stride), 1×1 convolutions with a channel expansion of 4 (ResNet-50 and -101; torchvision's "ResNet v1.5").</summary>
    Bottleneck,
}
