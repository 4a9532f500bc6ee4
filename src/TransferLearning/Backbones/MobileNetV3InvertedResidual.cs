using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// torchvision's MobileNetV3 <c>InvertedResidual</c>: <c>block</c> = [1×1 expansion <see cref="ConvNormActivation"/> (only when
/// the expanded channels differ from the input's)], depthwise k×k (the stride), [<see cref="SqueezeExcitation"/> with ReLU and
/// hard sigmoid, squeezing to <c>_make_divisible(expanded / 4, 8)</c>], 1×1 projection without activation; the activation is
/// ReLU or hard swish; plus the input when the stride is 1 and the channels do not change.
/// </summary>
internal sealed class MobileNetV3InvertedResidual : Module<Tensor, Tensor>
{
    private readonly Sequential block;
    private readonly bool useResidual;

    /// <summary>Builds the block with PyTorch's default initialisation (<see cref="MobileNetV3Features"/> re-initialises the convolutions).</summary>
    /// <param name="config">The block's row of torchvision's <c>inverted_residual_setting</c>.</param>
    public MobileNetV3InvertedResidual(MobileNetV3BlockConfig config) : base("InvertedResidual")
    {
        if (config.Stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(config), $"stride must be 1 or 2; got {config.Stride}.");
        useResidual = config.Stride == 1 && config.InputChannels == config.OutChannels;
        Stride = config.Stride;
        var norm = BatchNormSettings.MobileNetV3;
        Func<Module<Tensor, Tensor>> activation = config.HardSwish ? () => Hardswish() : () => ReLU();
        var layers = new List<Module<Tensor, Tensor>>();
        if (config.ExpandedChannels != config.InputChannels)
            layers.Add(ConvNormActivation.Create(config.InputChannels, config.ExpandedChannels, 1, norm, activation));
        layers.Add(ConvNormActivation.Create(config.ExpandedChannels, config.ExpandedChannels, config.Kernel, norm, activation, config.Stride, groups: config.ExpandedChannels));
        if (config.SqueezeExcitation)
            layers.Add(new SqueezeExcitation(config.ExpandedChannels, TorchVisionChannels.MakeDivisible(config.ExpandedChannels / 4, 8), ReLU(), Hardsigmoid()));
        layers.Add(ConvNormActivation.Create(config.ExpandedChannels, config.OutChannels, 1, norm, activation: null));
        block = Sequential(layers.Select((m, i) => (i.ToString(CultureInfo.InvariantCulture), m)));
        register_module("block", block);
    }

    /// <summary>The depthwise convolution's stride (1 or 2).</summary>
    public int Stride { get; }

    /// <summary>The branch, <c>block</c>: the <see cref="ConvNormActivation"/> layers and the squeeze-excitation, in order.</summary>
    internal Sequential Block => block;

    /// <summary>Whether the input is added to the branch (stride 1, channels unchanged).</summary>
    internal bool UseResidual => useResidual;

    /// <summary>Runs the block: N×C×H×W → N×C'×H/s×W/s. Returns a new tensor.</summary>
    /// <param name="input">The block's input; not modified.</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var result = block.forward(input);
        if (useResidual) result = result + input;
        return result.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// One row of torchvision's MobileNetV3 <c>inverted_residual_setting</c> (channels already scaled by the width multiplier).
/// </summary>
/// <param name="InputChannels">Input channels.</param>
/// <param name="Kernel">Kernel size of the depthwise convolution (3 or 5).</param>
/// <param name="ExpandedChannels">Channels of the depthwise convolution.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="SqueezeExcitation">Whether the block has a squeeze-excitation.</param>
/// <param name="HardSwish">Hard swish (torchvision's <c>"HS"</c>) rather than ReLU (<c>"RE"</c>).</param>
/// <param name="Stride">Stride of the depthwise convolution (1 or 2).</param>
internal readonly record struct MobileNetV3BlockConfig(int InputChannels, int Kernel, int ExpandedChannels, int OutChannels, bool SqueezeExcitation, bool HardSwish, int Stride);
