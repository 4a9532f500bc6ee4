using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using TransferLearning.Native;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// An EfficientNet (B0 … B3) trunk in torchvision's exact layout, torchvision's <c>EfficientNet.features</c>: <c>0</c> the stem
/// (3×3 convolution, stride 2, batch norm, SiLU), <c>1</c> … <c>7</c> the stages of <c>MBConv</c> blocks
/// (<c>1.0.block.0.0.weight</c>, <c>2.0.block.3.fc1.weight</c> …) and <c>8</c> the 1×1 head convolution to 4 × the last stage's
/// channels (1280 for B0 and B1, 1408 for B2, 1536 for B3), so under the prefix <c>features.</c> the state dict of a torchvision
/// EfficientNet loads by name (its <c>classifier.*</c> keys aside). Output: N×C×H/32×W/32. <see cref="EfficientNet"/> builds a
/// whole backbone.
/// </summary>
public sealed class EfficientNetFeatures : Module<Tensor, Tensor>
{
    /// <summary>torchvision's EfficientNet-B0 stages: expansion, kernel, stride, input and output channels, blocks (before scaling).</summary>
    private static readonly (double Expand, int Kernel, int Stride, int In, int Out, int Layers)[] B0Stages =
    {
        (1, 3, 1, 32, 16, 1),
        (6, 3, 2, 16, 24, 2),
        (6, 5, 2, 24, 40, 2),
        (6, 3, 2, 40, 80, 3),
        (6, 5, 1, 80, 112, 3),
        (6, 5, 2, 112, 192, 4),
        (6, 3, 1, 192, 320, 1),
    };

    private readonly Module<Tensor, Tensor>[] parts;

    /// <summary>
    /// Builds a trunk with torchvision's random initialisation (Kaiming-normal convolutions, fan-out, biases 0; batch norms at
    /// weight 1, bias 0), on the CPU.
    /// </summary>
    /// <param name="variant">The model size.</param>
    /// <param name="stochasticDepthProbability">
    /// The drop probability of the last block's residual branch in training; block i of n drops with p · i / n
    /// (torchvision's schedule). 0 ≤ p &lt; 1; torchvision: 0.2. Inference is unaffected.
    /// </param>
    public EfficientNetFeatures(EfficientNetVariant variant, double stochasticDepthProbability = 0.2)
        : this(Multipliers(variant).Width, Multipliers(variant).Depth, stochasticDepthProbability) { }

    /// <summary>Builds a trunk of any width and depth multipliers (small test models; torchvision's B0: 1.0, 1.0).</summary>
    internal EfficientNetFeatures(double widthMultiplier, double depthMultiplier, double stochasticDepthProbability) : base("EfficientNetFeatures")
    {
        if (!(widthMultiplier > 0) || !(depthMultiplier > 0))
            throw new ArgumentOutOfRangeException(nameof(widthMultiplier), $"The width and depth multipliers must be > 0; got {widthMultiplier} and {depthMultiplier}.");
        if (!(stochasticDepthProbability >= 0 && stochasticDepthProbability < 1))
            throw new ArgumentOutOfRangeException(nameof(stochasticDepthProbability), $"stochasticDepthProbability must be in [0, 1); got {stochasticDepthProbability}.");
        TorchNative.EnsureLoaded();
        var norm = BatchNormSettings.PyTorchDefault;
        var stages = B0Stages.Select(s => (s.Expand, s.Kernel, s.Stride,
            In: TorchVisionChannels.MakeDivisible(s.In * widthMultiplier, 8), Out: TorchVisionChannels.MakeDivisible(s.Out * widthMultiplier, 8),
            Layers: (int)Math.Ceiling(s.Layers * depthMultiplier))).ToArray();
        StageBlockCounts = stages.Select(s => s.Layers).ToArray();
        int total = StageBlockCounts.Sum();

        parts = new Module<Tensor, Tensor>[stages.Length + 2];
        // Each part in a dispose scope that keeps only its own tensors (TorchSharp's initialisers leave others behind).
        parts[0] = ModuleTensors.Build(() => ConvNormActivation.Create(3, stages[0].In, 3, norm, () => SiLU(), stride: 2));
        int blockId = 0;
        for (int i = 0; i < stages.Length; i++)
        {
            var s = stages[i];
            int first = blockId;
            parts[i + 1] = ModuleTensors.Build(() => Sequential(Enumerable.Range(0, s.Layers).Select(j =>
                (j.ToString(CultureInfo.InvariantCulture), (Module<Tensor, Tensor>)new EfficientNetMBConv(j == 0 ? s.In : s.Out, s.Out, s.Expand, s.Kernel,
                    j == 0 ? s.Stride : 1, stochasticDepthProbability * (first + j) / total)))));
            blockId += s.Layers;
        }
        int lastIn = stages[^1].Out;
        OutputChannels = 4 * lastIn;
        parts[^1] = ModuleTensors.Build(() => ConvNormActivation.Create(lastIn, OutputChannels, 1, norm, () => SiLU()));
        for (int i = 0; i < parts.Length; i++) register_module(i.ToString(CultureInfo.InvariantCulture), parts[i]);

        // torchvision's EfficientNet.__init__: kaiming_normal_(mode="fan_out") on every convolution, zero biases.
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var conv in modules().OfType<Conv2d>())
        {
            init.kaiming_normal_(conv.weight!, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
            if (conv.bias is { } bias) init.zeros_(bias);
        }
    }

    /// <summary>torchvision's width and depth multipliers of a variant: B0 (1.0, 1.0), B1 (1.0, 1.1), B2 (1.1, 1.2), B3 (1.2, 1.4).</summary>
    /// <param name="variant">The model size.</param>
    public static (double Width, double Depth) Multipliers(EfficientNetVariant variant) => variant switch
    {
        EfficientNetVariant.B0 => (1.0, 1.0),
        EfficientNetVariant.B1 => (1.0, 1.1),
        EfficientNetVariant.B2 => (1.1, 1.2),
        EfficientNetVariant.B3 => (1.2, 1.4),
        _ => throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown EfficientNetVariant value {(int)variant}."),
    };

    /// <summary>Blocks in stages <c>1</c> … <c>7</c> (B0: 1, 2, 2, 3, 3, 4, 1; torchvision rounds each up after the depth multiplier).</summary>
    public IReadOnlyList<int> StageBlockCounts { get; }

    /// <summary>Number of channels of the feature map (1280 for B0 and B1, 1408 for B2, 1536 for B3).</summary>
    public int OutputChannels { get; }

    /// <summary><c>0</c>, <c>1</c> … <c>7</c>, <c>8</c>: the stem, the seven stages and the head convolution.</summary>
    internal IReadOnlyList<Module<Tensor, Tensor>> Parts => parts;

    /// <summary>Runs the trunk: preprocessed N×3×H×W → N×<see cref="OutputChannels"/>×⌈H/32⌉×⌈W/32⌉. Returns a new tensor.</summary>
    /// <param name="input">The preprocessed batch; not modified.</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var part in parts) x = part.forward(x);
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
