using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// VGG16 as a <see cref="PretrainedBackbone"/>, in torchvision's exact layout: <c>features.0</c> … <c>features.28</c>
/// (13 convolutions, 14,714,688 parameters) and, with the top, <c>classifier.0/3/6</c> (138,357,544 parameters in all).
/// Create one with <see cref="Vgg16.Create"/>. Layer groups: <c>block1</c> … <c>block5</c> (split after each max-pool),
/// then <c>top</c> when the classifier is included.
/// </summary>
public sealed class Vgg16Backbone : PretrainedBackbone
{
    /// <summary>Number of parameter values without the top (torchvision's <c>vgg16().features</c>).</summary>
    public const long FeaturesParameterCount = 14_714_688;

    /// <summary>Number of parameter values with the top (torchvision's <c>vgg16()</c>).</summary>
    public const long FullParameterCount = 138_357_544;

    private readonly AdaptiveAvgPool2d? _avgpool;
    private readonly Sequential? _classifier;

    private Vgg16Backbone(Sequential features, ImagePreprocessing preprocessing, IReadOnlyList<LayerGroup> groups, PoolingMode pooling,
        AdaptiveAvgPool2d? avgpool, Sequential? classifier)
        : base("vgg16", features, preprocessing, 512, groups, pooling)
    {
        _avgpool = avgpool;
        _classifier = classifier;
        if (avgpool is not null && classifier is not null)
        {
            register_module("avgpool", avgpool);
            register_module("classifier", classifier);
        }
    }

    /// <summary>Whether torchvision's classifier (<c>classifier.0/3/6</c>) is included.</summary>
    public bool IncludeTop => _classifier is not null;

    /// <summary>torchvision's classifier (<c>Linear 25088→4096, ReLU, Dropout, Linear 4096→4096, ReLU, Dropout, Linear 4096→1000</c>), or <c>null</c> without the top.</summary>
    public Sequential? Classifier => _classifier;

    internal static Vgg16Backbone Build(bool includeTop, PoolingMode pooling, ImagePreprocessing preprocessing)
    {
        var features = Vgg16Features.CreateLayers();
        var children = features.children().ToList();
        var groups = new List<LayerGroup>();
        var current = new List<Module>();
        foreach (var child in children)
        {
            current.Add(child);
            if (child is MaxPool2d)
            {
                groups.Add(new LayerGroup($"block{groups.Count + 1}", current.ToArray()));
                current.Clear();
            }
        }

        AdaptiveAvgPool2d? avgpool = null;
        Sequential? classifier = null;
        if (includeTop)
        {
            avgpool = AdaptiveAvgPool2d(new long[] { 7, 7 });
            classifier = Sequential(
                ("0", Linear(512 * 7 * 7, 4096)),
                ("1", ReLU(inplace: true)),
                ("2", Dropout(0.5)),
                ("3", Linear(4096, 4096)),
                ("4", ReLU(inplace: true)),
                ("5", Dropout(0.5)),
                ("6", Linear(4096, 1000)));
            groups.Add(new LayerGroup("top", new Module[] { classifier }));
        }
        return new Vgg16Backbone(features, preprocessing, groups, pooling, avgpool, classifier);
    }

    /// <summary>
    /// ImageNet class scores as torchvision's <c>vgg16()</c> computes them: preprocessing, features, adaptive average pool to
    /// 7×7, flatten, classifier. Input: N×3×H×W RGB 0..255 (224×224 as trained). Returns new N×1000 logits (softmax not applied).
    /// </summary>
    /// <exception cref="InvalidOperationException">The backbone was created without the top (<see cref="Vgg16Options.IncludeTop"/>).</exception>
    public Tensor PredictLogits(Tensor images)
    {
        if (_classifier is null || _avgpool is null)
            throw new InvalidOperationException("This VGG16 backbone has no classifier; create it with Vgg16Options.IncludeTop = true to get ImageNet predictions.");
        using var scope = NewDisposeScope();
        var map = ExtractFeatureMap(images);
        var logits = _classifier.forward(_avgpool.forward(map).flatten(1));
        return logits.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override bool IsIgnoredWeightKey(string key) =>
        _classifier is null && key.StartsWith("classifier.", StringComparison.Ordinal);

    /// <inheritdoc />
    protected override string IgnoredWeightKeysDescription =>
        _classifier is null ? "classifier.* keys are ignored because the top is off" : "";
}
