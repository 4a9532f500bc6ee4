namespace TransferLearning.Backbones;

/// <summary>
/// The torchvision EfficientNet sizes <see cref="EfficientNet"/> builds. torchvision's ImageNet weights were evaluated at a
/// size per variant (its <c>transforms</c>: resize with bicubic interpolation, then centre crop); give the backbone images of
/// about that size for the best accuracy (any size of at least 32 pixels runs).
/// </summary>
public enum EfficientNetVariant
{
    /// <summary>EfficientNet-B0: width 1.0, depth 1.0; 1280 feature channels, 4,007,548 parameters without <c>classifier</c>. Input 224 (resize 256, crop 224).</summary>
    B0,

    /// <summary>
    /// EfficientNet-B1: width 1.0, depth 1.1; 1280 feature channels, 6,513,184 parameters without <c>classifier</c>. Input 240
    /// (V1: resize 256 bicubic, crop 240; V2: resize 255 bilinear, crop 240).
    /// </summary>
    B1,

    /// <summary>EfficientNet-B2: width 1.1, depth 1.2; 1408 feature channels, 7,700,994 parameters without <c>classifier</c>. Input 288 (resize 288, crop 288).</summary>
    B2,

    /// <summary>EfficientNet-B3: width 1.2, depth 1.4; 1536 feature channels, 10,696,232 parameters without <c>classifier</c>. Input 300 (resize 320, crop 300).</summary>
    B3,
}
