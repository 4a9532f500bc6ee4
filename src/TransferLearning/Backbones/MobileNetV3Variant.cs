namespace TransferLearning.Backbones;

/// <summary>
/// The torchvision MobileNetV3 sizes <see cref="MobileNetV3"/> builds. torchvision evaluated their ImageNet weights at 224
/// pixels (resize to 256, or 232 for Large's V2 weights, bilinear, then centre crop 224).
/// </summary>
public enum MobileNetV3Variant
{
    /// <summary>MobileNetV3-Small: 11 inverted residual blocks, 576 feature channels, 927,008 parameters without <c>classifier</c>.</summary>
    Small,

    /// <summary>MobileNetV3-Large: 15 inverted residual blocks, 960 feature channels, 2,971,952 parameters without <c>classifier</c>.</summary>
    Large,
}
