namespace TransferLearning.Backbones;

/// <summary>The torchvision ConvNeXt sizes <see cref="ConvNeXt"/> builds (<see cref="ConvNeXt.GetBlockConfigs"/> lists their stages).</summary>
public enum ConvNeXtVariant
{
    /// <summary>ConvNeXt-Tiny: 96/192/384/768 channels, [3, 3, 9, 3] blocks, 768 features, 27,820,128 parameters without <c>classifier.2</c>.</summary>
    Tiny,

    /// <summary>ConvNeXt-Small: 96/192/384/768 channels, [3, 3, 27, 3] blocks, 768 features, 49,454,688 parameters without <c>classifier.2</c>.</summary>
    Small,

    /// <summary>ConvNeXt-Base: 128/256/512/1024 channels, [3, 3, 27, 3] blocks, 1024 features, 87,566,464 parameters without <c>classifier.2</c>.</summary>
    Base,

    /// <summary>ConvNeXt-Large: 192/384/768/1536 channels, [3, 3, 27, 3] blocks, 1536 features, 196,230,336 parameters without <c>classifier.2</c>.</summary>
    Large,
}
