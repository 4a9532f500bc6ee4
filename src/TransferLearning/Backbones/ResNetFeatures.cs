using TorchSharp;
using TorchSharp.Modules;
using TransferLearning.Native;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// A ResNet trunk in torchvision's exact layout, everything of torchvision's <c>ResNet</c> before <c>avgpool</c> and
/// <c>fc</c>: <c>conv1</c> (7×7, stride 2), <c>bn1</c>, ReLU, <c>maxpool</c> (3×3, stride 2), then <c>layer1</c> …
/// <c>layer4</c> of residual blocks (<c>layer1.0.conv1</c> …, <c>layer2.0.downsample.0</c>/<c>.1</c> …), so the state dict of
/// a torchvision ResNet loads by name (its <c>fc.*</c> keys aside). Output: N×C×H/32×W/32 with C = 512 for basic blocks and
/// 2048 for bottlenecks. <see cref="ResNet"/> builds a whole backbone.
/// </summary>
public sealed class ResNetFeatures : Module<Tensor, Tensor>
{
    /// <summary>Channels of <c>conv1</c> and planes of <c>layer1</c> in torchvision's ResNets.</summary>
    internal const int TorchVisionWidth = 64;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly MaxPool2d maxpool;
    private readonly Sequential[] layers;

    /// <summary>
    /// Builds a trunk with torchvision's random initialisation (Kaiming-normal convolutions, fan-out; batch norms at weight 1,
    /// bias 0), on the CPU. ResNet-18: <c>(Basic, [2, 2, 2, 2])</c>; 34: <c>(Basic, [3, 4, 6, 3])</c>; 50: <c>(Bottleneck, [3, 4, 6, 3])</c>;
    /// 101: <c>(Bottleneck, [3, 4, 23, 3])</c>.
    /// </summary>
    /// <param name="block">The residual block type.</param>
    /// <param name="layerCounts">Blocks in <c>layer1</c> … <c>layer4</c>: four values, each at least 1.</param>
    public ResNetFeatures(ResNetBlockKind block, IReadOnlyList<int> layerCounts) : this(block, layerCounts, TorchVisionWidth) { }

    /// <summary>Builds a trunk whose every width is scaled by <paramref name="width"/> / 64 (small test models; torchvision: 64).</summary>
    internal ResNetFeatures(ResNetBlockKind block, IReadOnlyList<int> layerCounts, int width) : base("ResNetFeatures")
    {
        if (!Enum.IsDefined(block)) throw new ArgumentOutOfRangeException(nameof(block), $"Unknown ResNetBlockKind value {(int)block}.");
        ArgumentNullException.ThrowIfNull(layerCounts);
        if (layerCounts.Count != 4 || layerCounts.Any(n => n < 1))
            throw new ArgumentException($"layerCounts must hold 4 block counts of at least 1 (layer1 … layer4); got [{string.Join(", ", layerCounts)}].", nameof(layerCounts));
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), $"width must be at least 1; got {width}.");
        TorchNative.EnsureLoaded();
        BlockKind = block;
        LayerCounts = layerCounts.ToArray();
        int expansion = block == ResNetBlockKind.Bottleneck ? ResNetBottleneck.Expansion : 1;
        OutputChannels = width * 8 * expansion;

        // Each part in a dispose scope that keeps only its own tensors (TorchSharp's initialisers leave others behind).
        conv1 = ModuleTensors.Build(() => Conv2d(3, width, kernel_size: 7, stride: 2, padding: 3, bias: false));
        bn1 = ModuleTensors.Build(() => BatchNorm2d(width));
        relu = ReLU();
        maxpool = MaxPool2d(kernel_size: 3, stride: 2, padding: 1);
        layers = new Sequential[4];
        int inChannels = width;
        for (int i = 0; i < 4; i++)
        {
            int planes = width << i, stride = i == 0 ? 1 : 2, input = inChannels, count = LayerCounts[i];
            layers[i] = ModuleTensors.Build(() => CreateLayer(block, input, planes, count, stride));
            inChannels = planes * expansion;
        }

        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("relu", relu);
        register_module("maxpool", maxpool);
        for (int i = 0; i < 4; i++) register_module($"layer{i + 1}", layers[i]);

        // torchvision's ResNet.__init__: kaiming_normal_(mode="fan_out", nonlinearity="relu") on every convolution.
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var conv in modules().OfType<Conv2d>())
            init.kaiming_normal_(conv.weight!, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
    }

    /// <summary>The residual block type.</summary>
    public ResNetBlockKind BlockKind { get; }

    /// <summary>Blocks in <c>layer1</c> … <c>layer4</c>.</summary>
    public IReadOnlyList<int> LayerCounts { get; }

    /// <summary>Number of channels of the feature map (512 for basic blocks, 2048 for bottlenecks at torchvision's widths).</summary>
    public int OutputChannels { get; }

    /// <summary><c>conv1</c> and <c>bn1</c>, the stem (frozen and unfrozen together).</summary>
    internal IReadOnlyList<Module> Stem => new Module[] { conv1, bn1 };

    /// <summary><c>layer1</c> … <c>layer4</c>.</summary>
    internal IReadOnlyList<Sequential> Layers => layers;

    private static Sequential CreateLayer(ResNetBlockKind block, int inChannels, int planes, int count, int stride)
    {
        int expansion = block == ResNetBlockKind.Bottleneck ? ResNetBottleneck.Expansion : 1;
        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i < count; i++)
        {
            int input = i == 0 ? inChannels : planes * expansion, s = i == 0 ? stride : 1;
            // torchvision's _make_layer: only the first block may project (stride 2, or a channel change).
            var downsample = i == 0 && (stride != 1 || inChannels != planes * expansion) ? ResNetBlock.CreateDownsample(input, planes * expansion, s) : null;
            ResNetBlock b = block == ResNetBlockKind.Bottleneck
                ? new ResNetBottleneck(input, planes, s, downsample)
                : new ResNetBasicBlock(input, planes, s, downsample);
            blocks.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), b));
        }
        return Sequential(blocks);
    }

    /// <summary>Runs the trunk: preprocessed N×3×H×W → N×<see cref="OutputChannels"/>×H/32×W/32. Returns a new tensor.</summary>
    /// <param name="input">The preprocessed batch; not modified.</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = maxpool.forward(relu.forward(bn1.forward(conv1.forward(input))));
        foreach (var layer in layers) x = layer.forward(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Frees every parameter and buffer of this module and its children, then the modules (TorchSharp 0.107's
    /// <c>Module.Dispose</c> leaves children's tensors alive).
    /// </summary>
    /// <param name="disposing"><c>true</c> from <c>Dispose()</c>; <c>false</c> from the finalizer, which frees nothing managed.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing) ModuleTensors.DisposeTree(this);
        base.Dispose(disposing);
    }
}
