using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// torchvision's EfficientNet <c>MBConv</c>: <c>block</c> = [1×1 expansion <see cref="ConvNormActivation"/> with SiLU (only when
/// the expansion ratio is not 1)], depthwise k×k with SiLU (the stride), <see cref="SqueezeExcitation"/> (SiLU, sigmoid;
/// squeeze to max(1, input / 4) channels), 1×1 projection without activation; plus the input through
/// <c>stochastic_depth</c> when the stride is 1 and the channels do not change.
/// </summary>
internal sealed class EfficientNetMBConv : Module<Tensor, Tensor>
{
    private readonly Sequential block;
    private readonly StochasticDepth stochasticDepth;
    private readonly bool useResidual;

    /// <summary>Builds the block with PyTorch's default initialisation (<see cref="EfficientNetFeatures"/> re-initialises the convolutions).</summary>
    /// <param name="inputChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="expandRatio">Channels of the depthwise convolution per input channel (1 or 6 in B0 … B7).</param>
    /// <param name="kernel">Kernel size of the depthwise convolution (3 or 5).</param>
    /// <param name="stride">Stride of the depthwise convolution (1 or 2).</param>
    /// <param name="stochasticDepthProbability">Probability of dropping the residual branch per sample in training.</param>
    public EfficientNetMBConv(int inputChannels, int outChannels, double expandRatio, int kernel, int stride, double stochasticDepthProbability)
        : base("MBConv")
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), $"stride must be 1 or 2; got {stride}.");
        useResidual = stride == 1 && inputChannels == outChannels;
        var norm = BatchNormSettings.PyTorchDefault;
        int expanded = TorchVisionChannels.MakeDivisible(inputChannels * expandRatio, 8);
        var layers = new List<Module<Tensor, Tensor>>();
        if (expanded != inputChannels) layers.Add(ConvNormActivation.Create(inputChannels, expanded, 1, norm, () => SiLU()));
        layers.Add(ConvNormActivation.Create(expanded, expanded, kernel, norm, () => SiLU(), stride, groups: expanded));
        layers.Add(new SqueezeExcitation(expanded, Math.Max(1, inputChannels / 4), SiLU(), Sigmoid()));
        layers.Add(ConvNormActivation.Create(expanded, outChannels, 1, norm, activation: null));
        block = Sequential(layers.Select((m, i) => (i.ToString(CultureInfo.InvariantCulture), m)));
        stochasticDepth = new StochasticDepth(stochasticDepthProbability);
        register_module("block", block);
        register_module("stochastic_depth", stochasticDepth);
    }

    /// <summary>The drop probability of the residual branch in training (torchvision: 0.2 × block index / blocks).</summary>
    public double StochasticDepthProbability => stochasticDepth.Probability;

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
        if (useResidual) result = stochasticDepth.forward(result) + input;
        return result.MoveToOuterDisposeScope();
    }
}
