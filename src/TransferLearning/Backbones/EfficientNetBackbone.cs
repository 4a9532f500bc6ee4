using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// A torchvision EfficientNet trunk (<see cref="EfficientNetFeatures"/>, registered as <c>features</c>) as a
/// <see cref="PretrainedBackbone"/>. Create one with <see cref="EfficientNet.Create"/>. Layer groups, from input to output:
/// <c>stem</c> (<c>features.0</c>), <c>stage1</c> … <c>stage7</c> (<c>features.1</c> … <c>features.7</c>) and <c>head</c>
/// (<c>features.8</c>, the 1×1 convolution). Weights files use torchvision's keys as they are
/// (<c>features.0.0.weight</c>, <c>features.1.0.block.0.0.weight</c> …); their <c>classifier.*</c> keys are ignored.
/// </summary>
public sealed class EfficientNetBackbone : PretrainedBackbone
{
    private EfficientNetBackbone(string name, EfficientNetFeatures trunk, ImagePreprocessing preprocessing, IReadOnlyList<LayerGroup> groups, PoolingMode pooling)
        : base(name, trunk, preprocessing, trunk.OutputChannels, groups, pooling)
    {
        Trunk = trunk;
    }

    /// <summary>The trunk (the same module as <see cref="PretrainedBackbone.Features"/>), torchvision's <c>features</c>.</summary>
    public EfficientNetFeatures Trunk { get; }

    /// <summary>Number of parameter values of a variant without <c>classifier</c> (torchvision's model less its 1000-class classifier).</summary>
    /// <param name="variant">The model size.</param>
    public static long FeaturesParameterCount(EfficientNetVariant variant) => variant switch
    {
        EfficientNetVariant.B0 => 4_007_548,
        EfficientNetVariant.B1 => 6_513_184,
        EfficientNetVariant.B2 => 7_700_994,
        EfficientNetVariant.B3 => 10_696_232,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown EfficientNetVariant value {(int)variant}."),
    };

    /// <summary>Wraps a trunk; the caller builds it inside <see cref="ModuleTensors.Build{T}"/> or owns its leftovers.</summary>
    internal static EfficientNetBackbone Build(string name, EfficientNetFeatures trunk, PoolingMode pooling, ImagePreprocessing preprocessing)
    {
        var parts = trunk.Parts;
        var groups = new List<LayerGroup> { new("stem", new Module[] { parts[0] }) };
        for (int i = 1; i < parts.Count - 1; i++) groups.Add(new LayerGroup($"stage{i}", new Module[] { parts[i] }));
        groups.Add(new LayerGroup("head", new Module[] { parts[^1] }));
        return new EfficientNetBackbone(name, trunk, preprocessing, groups, pooling);
    }

    /// <inheritdoc />
    protected override bool IsIgnoredWeightKey(string key) => key.StartsWith("classifier.", StringComparison.Ordinal);

    /// <inheritdoc />
    protected override string IgnoredWeightKeysDescription => "classifier.* keys are ignored: the backbone ends before torchvision's classifier";
}
