using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// A torchvision MobileNetV3 trunk (<see cref="MobileNetV3Features"/>, registered as <c>features</c>) as a
/// <see cref="PretrainedBackbone"/>. Create one with <see cref="MobileNetV3.Create"/>. Layer groups, from input to output:
/// <c>stem</c> (<c>features.0</c>), then the inverted residual blocks grouped by the resolution they output —
/// <c>stride2</c> (Large only: <c>features.1</c>), <c>stride4</c>, <c>stride8</c>, <c>stride16</c>, <c>stride32</c> — and
/// <c>head</c> (the last 1×1 convolution). Large: <c>features.1</c> | <c>2–3</c> | <c>4–6</c> | <c>7–12</c> | <c>13–15</c> | <c>16</c>;
/// Small: <c>1</c> | <c>2–3</c> | <c>4–8</c> | <c>9–11</c> | <c>12</c>. Weights files use torchvision's keys as they are
/// (<c>features.0.0.weight</c>, <c>features.1.block.0.0.weight</c> …); their <c>classifier.*</c> keys are ignored.
/// </summary>
public sealed class MobileNetV3Backbone : PretrainedBackbone
{
    private MobileNetV3Backbone(string name, MobileNetV3Features trunk, ImagePreprocessing preprocessing, IReadOnlyList<LayerGroup> groups, PoolingMode pooling)
        : base(name, trunk, preprocessing, trunk.OutputChannels, groups, pooling)
    {
        Trunk = trunk;
    }

    /// <summary>The trunk (the same module as <see cref="PretrainedBackbone.Features"/>), torchvision's <c>features</c>.</summary>
    public MobileNetV3Features Trunk { get; }

    /// <summary>Number of parameter values of a variant without <c>classifier</c> (torchvision's model less its two-layer classifier).</summary>
    /// <param name="variant">The model size.</param>
    public static long FeaturesParameterCount(MobileNetV3Variant variant) => variant switch
    {
        MobileNetV3Variant.Small => 927_008,
        MobileNetV3Variant.Large => 2_971_952,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown MobileNetV3Variant value {(int)variant}."),
    };

    /// <summary>Wraps a trunk; the caller builds it inside <see cref="ModuleTensors.Build{T}"/> or owns its leftovers.</summary>
    internal static MobileNetV3Backbone Build(string name, MobileNetV3Features trunk, PoolingMode pooling, ImagePreprocessing preprocessing)
    {
        var parts = trunk.Parts;
        var strides = trunk.OutputStrides;
        var groups = new List<LayerGroup> { new("stem", new Module[] { parts[0] }) };
        for (int i = 1; i < parts.Count - 1;)
        {
            int stride = strides[i], end = i;
            while (end < parts.Count - 1 && strides[end] == stride) end++;
            groups.Add(new LayerGroup($"stride{stride}", parts.Skip(i).Take(end - i).Cast<Module>().ToArray()));
            i = end;
        }
        groups.Add(new LayerGroup("head", new Module[] { parts[^1] }));
        return new MobileNetV3Backbone(name, trunk, preprocessing, groups, pooling);
    }

    /// <inheritdoc />
    protected override bool IsIgnoredWeightKey(string key) => key.StartsWith("classifier.", StringComparison.Ordinal);

    /// <inheritdoc />
    protected override string IgnoredWeightKeysDescription => "classifier.* keys are ignored: the backbone ends before torchvision's classifier";
}
