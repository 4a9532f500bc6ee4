using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using TransferLearning.Native;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// A MobileNetV3 trunk in torchvision's exact layout, torchvision's <c>MobileNetV3.features</c>: <c>0</c> the stem (3×3
/// convolution to 16 channels, stride 2, batch norm, hard swish), <c>1</c> … <c>11</c> (Small) or <c>1</c> … <c>15</c> (Large)
/// the inverted residual blocks (<c>1.block.0.0.weight</c>, <c>4.block.2.fc1.weight</c> …) and last the 1×1 convolution to 6 ×
/// the last block's channels with hard swish (576 for Small, 960 for Large), so under the prefix <c>features.</c> the state
/// dict of a torchvision MobileNetV3 loads by name (its <c>classifier.*</c> keys aside). Batch norms: eps 0.001, momentum 0.01
/// (torchvision's). Output: N×C×H/32×W/32. <see cref="MobileNetV3"/> builds a whole backbone.
/// </summary>
public sealed class MobileNetV3Features : Module<Tensor, Tensor>
{
    // torchvision's _mobilenet_v3_conf rows: input, kernel, expanded, output, squeeze-excitation, hard swish, stride (dilation 1).
    private static readonly MobileNetV3BlockConfig[] LargeBlocks =
    {
        new(16, 3, 16, 16, false, false, 1),
        new(16, 3, 64, 24, false, false, 2),
        new(24, 3, 72, 24, false, false, 1),
        new(24, 5, 72, 40, true, false, 2),
        new(40, 5, 120, 40, true, false, 1),
        new(40, 5, 120, 40, true, false, 1),
        new(40, 3, 240, 80, false, true, 2),
        new(80, 3, 200, 80, false, true, 1),
        new(80, 3, 184, 80, false, true, 1),
        new(80, 3, 184, 80, false, true, 1),
        new(80, 3, 480, 112, true, true, 1),
        new(112, 3, 672, 112, true, true, 1),
        new(112, 5, 672, 160, true, true, 2),
        new(160, 5, 960, 160, true, true, 1),
        new(160, 5, 960, 160, true, true, 1),
    };

    private static readonly MobileNetV3BlockConfig[] SmallBlocks =
    {
        new(16, 3, 16, 16, true, false, 2),
        new(16, 3, 72, 24, false, false, 2),
        new(24, 3, 88, 24, false, false, 1),
        new(24, 5, 96, 40, true, true, 2),
        new(40, 5, 240, 40, true, true, 1),
        new(40, 5, 240, 40, true, true, 1),
        new(40, 5, 120, 48, true, true, 1),
        new(48, 5, 144, 48, true, true, 1),
        new(48, 5, 288, 96, true, true, 2),
        new(96, 5, 576, 96, true, true, 1),
        new(96, 5, 576, 96, true, true, 1),
    };

    private readonly Module<Tensor, Tensor>[] parts;

    /// <summary>
    /// Builds a trunk with torchvision's random initialisation (Kaiming-normal convolutions, fan-out, biases 0; batch norms at
    /// weight 1, bias 0), on the CPU.
    /// </summary>
    /// <param name="variant">The model size.</param>
    public MobileNetV3Features(MobileNetV3Variant variant) : this(variant, 1.0) { }

    /// <summary>Builds a trunk at a width multiplier (torchvision's <c>width_mult</c>; small test models; torchvision's weights: 1.0).</summary>
    internal MobileNetV3Features(MobileNetV3Variant variant, double widthMultiplier) : base("MobileNetV3Features")
    {
        if (!Enum.IsDefined(variant)) throw new ArgumentOutOfRangeException(nameof(variant), $"Unknown MobileNetV3Variant value {(int)variant}.");
        if (!(widthMultiplier > 0)) throw new ArgumentOutOfRangeException(nameof(widthMultiplier), $"widthMultiplier must be > 0; got {widthMultiplier}.");
        TorchNative.EnsureLoaded();
        Variant = variant;
        int Scale(int channels) => TorchVisionChannels.MakeDivisible(channels * widthMultiplier, 8);
        var blocks = (variant == MobileNetV3Variant.Large ? LargeBlocks : SmallBlocks)
            .Select(b => b with { InputChannels = Scale(b.InputChannels), ExpandedChannels = Scale(b.ExpandedChannels), OutChannels = Scale(b.OutChannels) })
            .ToArray();
        var norm = BatchNormSettings.MobileNetV3;

        parts = new Module<Tensor, Tensor>[blocks.Length + 2];
        var strides = new int[parts.Length];
        // Each part in a dispose scope that keeps only its own tensors (TorchSharp's initialisers leave others behind).
        parts[0] = ModuleTensors.Build(() => ConvNormActivation.Create(3, blocks[0].InputChannels, 3, norm, () => Hardswish(), stride: 2));
        strides[0] = 2;
        for (int i = 0; i < blocks.Length; i++)
        {
            var config = blocks[i];
            parts[i + 1] = ModuleTensors.Build(() => new MobileNetV3InvertedResidual(config));
            strides[i + 1] = strides[i] * config.Stride;
        }
        int lastIn = blocks[^1].OutChannels;
        OutputChannels = 6 * lastIn;
        parts[^1] = ModuleTensors.Build(() => ConvNormActivation.Create(lastIn, OutputChannels, 1, norm, () => Hardswish()));
        strides[^1] = strides[^2];
        OutputStrides = strides;
        for (int i = 0; i < parts.Length; i++) register_module(i.ToString(CultureInfo.InvariantCulture), parts[i]);

        // torchvision's MobileNetV3.__init__: kaiming_normal_(mode="fan_out") on every convolution, zero biases.
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var conv in modules().OfType<Conv2d>())
        {
            init.kaiming_normal_(conv.weight!, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
            if (conv.bias is { } bias) init.zeros_(bias);
        }
    }

    /// <summary>The model size.</summary>
    public MobileNetV3Variant Variant { get; }

    /// <summary>Number of channels of the feature map (576 for Small, 960 for Large at torchvision's width).</summary>
    public int OutputChannels { get; }

    /// <summary>
    /// The input size over the output size of <c>features.0</c>, <c>features.1</c> … (2 after the stem, 32 after the last stride-2
    /// block and the last convolution).
    /// </summary>
    public IReadOnlyList<int> OutputStrides { get; }

    /// <summary><c>0</c> (stem), the inverted residual blocks, the last convolution.</summary>
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
