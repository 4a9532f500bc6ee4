namespace TransferLearning.Backbones;

/// <summary>torchvision's channel rounding for width multipliers (<c>models._utils._make_divisible</c>, from TensorFlow's MobileNet).</summary>
internal static class TorchVisionChannels
{
    /// <summary>
    /// Rounds <paramref name="value"/> to the nearest multiple of <paramref name="divisor"/> (halves up), at least
    /// <paramref name="divisor"/>, and one <paramref name="divisor"/> more when that lost over 10 % of <paramref name="value"/>.
    /// </summary>
    /// <param name="value">The scaled channel count.</param>
    /// <param name="divisor">The multiple (8 in EfficientNet and MobileNetV3).</param>
    public static int MakeDivisible(double value, int divisor)
    {
        int rounded = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * value) rounded += divisor;
        return rounded;
    }
}
