using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// A torchvision ResNet trunk (<see cref="ResNetFeatures"/>: <c>conv1</c>, <c>bn1</c>, <c>layer1</c> … <c>layer4</c>) as a
/// <see cref="PretrainedBackbone"/>. Create one with <see cref="ResNet.Create"/>. Layer groups, from input to output:
/// <c>stem</c> (<c>conv1</c> + <c>bn1</c>), <c>layer1</c>, <c>layer2</c>, <c>layer3</c>, <c>layer4</c>. Weights files use
/// torchvision's keys as they are (<c>conv1.weight</c>, <c>layer1.0.bn1.running_mean</c> …); their <c>fc.*</c> keys are ignored.
/// </summary>
public sealed class ResNetBackbone : PretrainedBackbone
{
    private ResNetBackbone(string name, ResNetFeatures trunk, ImagePreprocessing preprocessing, IReadOnlyList<LayerGroup> groups, PoolingMode pooling)
        : base(name, trunk, preprocessing, trunk.OutputChannels, groups, pooling)
    {
        Trunk = trunk;
    }

    /// <summary>The trunk (the same module as <see cref="PretrainedBackbone.Features"/>), whose state dict has torchvision's keys.</summary>
    public ResNetFeatures Trunk { get; }

    /// <summary>Number of parameter values of a depth without <c>fc</c> (torchvision's model less its 1000-class classifier).</summary>
    /// <param name="variant">The depth.</param>
    public static long FeaturesParameterCount(ResNetVariant variant) => variant switch
    {
        ResNetVariant.ResNet18 => 11_176_512,
        ResNetVariant.ResNet34 => 21_284_672,
        ResNetVariant.ResNet50 => 23_508_032,
        ResNetVariant.ResNet101 => 42_500_160,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown ResNetVariant value {(int)variant}."),
    };

    /// <summary>Wraps a trunk; the caller builds it inside <see cref="ModuleTensors.Build{T}"/> or owns its leftovers.</summary>
    internal static ResNetBackbone Build(string name, ResNetFeatures trunk, PoolingMode pooling, ImagePreprocessing preprocessing)
    {
        var groups = new List<LayerGroup> { new("stem", trunk.Stem) };
        for (int i = 0; i < trunk.Layers.Count; i++) groups.Add(new LayerGroup($"layer{i + 1}", new Module[] { trunk.Layers[i] }));
        return new ResNetBackbone(name, trunk, preprocessing, groups, pooling);
    }

    /// <summary>The trunk: torchvision's files name its keys without a prefix.</summary>
    protected override Module WeightsModule => Trunk;

    /// <inheritdoc />
    protected override bool IsIgnoredWeightKey(string key) => key.StartsWith("fc.", StringComparison.Ordinal);

    /// <inheritdoc />
    protected override string IgnoredWeightKeysDescription => "fc.* keys are ignored: the backbone ends before torchvision's classifier";
}
