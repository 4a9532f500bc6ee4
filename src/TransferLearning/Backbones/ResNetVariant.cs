namespace TransferLearning.Backbones;

/// <summary>The torchvision ResNet depths <see cref="ResNet"/> builds.</summary>
public enum ResNetVariant
{
    /// <summary>ResNet-18: basic blocks [2, 2, 2, 2], 512 feature channels, 11,176,512 parameters without <c>fc</c>.</summary>
    ResNet18,

    /// <summary>ResNet-34: basic blocks [3, 4, 6, 3], 512 feature channels, 21,284,672 parameters without <c>fc</c>.</summary>
    ResNet34,

    /// <summary>ResNet-50: bottleneck blocks [3, 4, 6, 3], 2048 feature channels, 23,508,032 parameters without <c>fc</c>.</summary>
    ResNet50,

    /// <summary>ResNet-101: bottleneck blocks [3, 4, 23, 3], 2048 feature channels, 42,500,160 parameters without <c>fc</c>.</summary>
    ResNet101,
}
