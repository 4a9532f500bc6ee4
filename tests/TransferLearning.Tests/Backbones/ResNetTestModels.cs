using TransferLearning.Backbones;
using TransferLearning.Tests.Support;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// The narrow ResNets of <c>TestData/resnet</c> (torchvision's resnet18 and resnet50 depths at an eighth of the widths,
/// written by <c>make_resnet_fixtures.py</c>) and backbones of the same architecture.
/// </summary>
internal static class ResNetTestModels
{
    /// <summary>Planes of layer1 in the fixtures (torchvision: 64).</summary>
    public const int Width = 8;

    public static string Path(string name) => RepositoryPaths.Path("tests", "TransferLearning.Tests", "Backbones", "TestData", "resnet", name);

    /// <summary>resnet18_narrow: basic blocks [2, 2, 2, 2]; resnet50_narrow: bottlenecks [3, 4, 6, 3].</summary>
    public static (ResNetBlockKind Block, int[] Layers) Architecture(string name) => name switch
    {
        "resnet18_narrow" => (ResNetBlockKind.Basic, new[] { 2, 2, 2, 2 }),
        "resnet50_narrow" => (ResNetBlockKind.Bottleneck, new[] { 3, 4, 6, 3 }),
        _ => throw new ArgumentException(name),
    };

    /// <summary>A random-weight backbone of a fixture's architecture, with ImageNet (or identity) preprocessing.</summary>
    public static ResNetBackbone Backbone(string name, bool identity = false, PoolingMode pooling = PoolingMode.GlobalAverage)
    {
        var (block, layers) = Architecture(name);
        return ModuleTensors.Build(() => ResNetBackbone.Build(name, new ResNetFeatures(block, layers, Width), pooling,
            identity ? ImagePreprocessing.Identity() : ImagePreprocessing.ImageNet()));
    }
}
