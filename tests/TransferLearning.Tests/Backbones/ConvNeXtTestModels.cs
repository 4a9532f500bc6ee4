using TransferLearning.Backbones;
using TransferLearning.Tests.Support;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// The small ConvNeXt configuration of the parity fixtures (torchvision's <c>CNBlockConfig(32, 64, 1), (64, 128, 2), (128, None, 1)</c>):
/// the shared <c>onnx-torchvision/convnext_tiny_variant.pth</c> and <c>TestData/convnext/convnext_small_config.pth</c>
/// (<c>make_convnext_fixtures.py</c>), and backbones of that configuration.
/// </summary>
internal static class ConvNeXtTestModels
{
    public static ConvNeXtBlockConfig[] SmallConfig => new ConvNeXtBlockConfig[] { new(32, 64, 1), new(64, 128, 2), new(128, null, 1) };

    public static string Path(string name) => RepositoryPaths.Path("tests", "TransferLearning.Tests", "Backbones", "TestData", "convnext", name);

    /// <summary>A random-weight backbone of the small configuration, with ImageNet (or identity) preprocessing.</summary>
    public static ConvNeXtBackbone Backbone(bool identity = false, PoolingMode pooling = PoolingMode.GlobalAverage, double? stochasticDepth = null, string? weightsFile = null) =>
        ConvNeXt.Create(new ConvNeXtOptions
        {
            BlockConfigs = SmallConfig,
            Weights = weightsFile is null ? TorchVisionWeights.None : TorchVisionWeights.File,
            WeightsFile = weightsFile,
            Pooling = pooling,
            Preprocessing = identity ? TorchVisionPreprocessing.Identity : TorchVisionPreprocessing.ImageNet,
            StochasticDepthProbability = stochasticDepth,
        });
}
