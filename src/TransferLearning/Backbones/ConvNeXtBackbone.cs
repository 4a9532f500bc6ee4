using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// A torchvision ConvNeXt (<see cref="ConvNeXtFeatures"/> as <c>features</c>, then global pooling and torchvision's
/// <c>classifier.0</c> LayerNorm2d) as a <see cref="PretrainedBackbone"/>. Create one with <see cref="ConvNeXt.Create"/>.
/// </summary>
/// <remarks>
/// <para>
/// torchvision's ConvNeXt ends in <c>avgpool</c> and <c>classifier = Sequential(LayerNorm2d, Flatten, Linear)</c>. The layer norm
/// belongs to the classifier in torchvision, but without it the pooled vector is not what the published weights' linear layer
/// was trained on (its scale varies by orders of magnitude between channels). So this backbone keeps it: the feature vector is
/// pooled, then normalised by <c>classifier.0</c> (<see cref="PretrainedBackbone.PooledNormalization"/>; with
/// <see cref="PoolingMode.Flatten"/> the norm runs at every position of the map), exactly the input of torchvision's
/// <c>classifier.2</c>. Only <c>classifier.2.*</c>, the 1000-class linear layer, is left out, and its keys are ignored when loading.
/// </para>
/// <para>
/// Weights files use torchvision's keys as they are (<c>features.0.0.weight</c>, <c>features.1.0.layer_scale</c>,
/// <c>features.2.0.weight</c> …, <c>classifier.0.weight</c>). Layer groups, from input to output: <c>stem</c> (<c>features.0</c>),
/// then one per stage, each with the downsampling layer before it: <c>stage1</c> (<c>features.1</c>), <c>stage2</c>
/// (<c>features.2</c>, <c>features.3</c>), <c>stage3</c> (<c>features.4</c>, <c>features.5</c>), <c>stage4</c> (<c>features.6</c>,
/// <c>features.7</c>, and <c>classifier.0</c>; a downsampling layer after the last stage, possible in a custom configuration, also
/// joins the last group). ConvNeXt has no batch norms, so <see cref="PretrainedBackbone.TrainFrozenNormalization"/> changes nothing;
/// its stochastic depth follows the training mode in every block, frozen or not, as torchvision's does.
/// </para>
/// </remarks>
public sealed class ConvNeXtBackbone : PretrainedBackbone
{
    // Named as registered: TorchSharp also registers module fields by their names.
    private readonly Sequential classifier;

    private ConvNeXtBackbone(string name, ConvNeXtFeatures trunk, ImagePreprocessing preprocessing, IReadOnlyList<LayerGroup> groups,
        PoolingMode pooling, Sequential classifier)
        : base(name, trunk, preprocessing, trunk.OutputChannels, groups, pooling)
    {
        Trunk = trunk;
        this.classifier = classifier;
        register_module("classifier", classifier);
    }

    /// <summary>The trunk (the same module as <see cref="PretrainedBackbone.Features"/>), registered as <c>features</c>.</summary>
    public ConvNeXtFeatures Trunk { get; }

    /// <summary>Number of parameter values of a size without <c>classifier.2</c> (torchvision's model less its 1000-class linear layer).</summary>
    /// <param name="variant">The size.</param>
    public static long FeaturesParameterCount(ConvNeXtVariant variant) => variant switch
    {
        ConvNeXtVariant.Tiny => 27_820_128,
        ConvNeXtVariant.Small => 49_454_688,
        ConvNeXtVariant.Base => 87_566_464,
        ConvNeXtVariant.Large => 196_230_336,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown ConvNeXtVariant value {(int)variant}."),
    };

    /// <summary>Wraps a trunk; the caller builds it inside <see cref="ModuleTensors.Build{T}"/> or owns its leftovers.</summary>
    internal static ConvNeXtBackbone Build(string name, ConvNeXtFeatures trunk, PoolingMode pooling, ImagePreprocessing preprocessing)
    {
        var norm = new LayerNorm2d(trunk.OutputChannels, ConvNeXtFeatures.NormEps);
        // torchvision's classifier is Sequential(LayerNorm2d, Flatten, Linear); only its layer norm is kept, under the same key.
        var classifier = Sequential(("0", (Module<Tensor, Tensor>)norm));
        var groups = new List<LayerGroup> { new("stem", new Module[] { trunk.Stem }) };
        for (int s = 0; s < trunk.Stages.Count; s++)
        {
            var modules = new List<Module>();
            if (s > 0 && trunk.Downsamples[s - 1] is { } before) modules.Add(before);
            modules.Add(trunk.Stages[s]);
            if (s == trunk.Stages.Count - 1)
            {
                if (trunk.Downsamples[s] is { } after) modules.Add(after);
                modules.Add(classifier);
            }
            groups.Add(new LayerGroup($"stage{s + 1}", modules));
        }
        return new ConvNeXtBackbone(name, trunk, preprocessing, groups, pooling, classifier);
    }

    /// <summary>torchvision's <c>classifier.0</c>, the LayerNorm2d over the pooled channels.</summary>
    protected internal override Module<Tensor, Tensor>? PooledNormalization => (Module<Tensor, Tensor>)classifier.named_children().Single().module;

    /// <inheritdoc />
    protected override bool IsIgnoredWeightKey(string key) => key.StartsWith("classifier.2.", StringComparison.Ordinal);

    /// <inheritdoc />
    protected override string IgnoredWeightKeysDescription =>
        "classifier.2.* keys are ignored: the backbone keeps torchvision's classifier.0 layer norm and ends before its linear layer";
}
