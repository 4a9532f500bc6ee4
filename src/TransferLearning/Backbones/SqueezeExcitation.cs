using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// torchvision's <c>ops.SqueezeExcitation</c>, shared by EfficientNet's <c>MBConv</c> and MobileNetV3's <c>InvertedResidual</c>:
/// <c>x · σ(fc2(δ(fc1(mean over H×W of x))))</c> with <c>fc1</c> and <c>fc2</c> 1×1 convolutions with bias (torchvision's keys
/// <c>fc1.weight</c>, <c>fc1.bias</c>, <c>fc2.weight</c>, <c>fc2.bias</c>). EfficientNet: δ = SiLU, σ = sigmoid; MobileNetV3:
/// δ = ReLU, σ = hard sigmoid.
/// </summary>
internal sealed class SqueezeExcitation : Module<Tensor, Tensor>
{
    private readonly Conv2d fc1;
    private readonly Conv2d fc2;
    private readonly Module<Tensor, Tensor> activation;
    private readonly Module<Tensor, Tensor> scaleActivation;

    /// <summary>Builds the block with PyTorch's default initialisation (the trunks re-initialise the convolutions).</summary>
    /// <param name="inputChannels">Channels of the input and of the scale.</param>
    /// <param name="squeezeChannels">Channels between <c>fc1</c> and <c>fc2</c>.</param>
    /// <param name="activation">δ, after <c>fc1</c>.</param>
    /// <param name="scaleActivation">σ, after <c>fc2</c>.</param>
    public SqueezeExcitation(int inputChannels, int squeezeChannels, Module<Tensor, Tensor> activation, Module<Tensor, Tensor> scaleActivation)
        : base("SqueezeExcitation")
    {
        fc1 = Conv2d(inputChannels, squeezeChannels, kernel_size: 1);
        fc2 = Conv2d(squeezeChannels, inputChannels, kernel_size: 1);
        this.activation = activation;
        this.scaleActivation = scaleActivation;
        register_module("avgpool", AdaptiveAvgPool2d(1));
        register_module("fc1", fc1);
        register_module("fc2", fc2);
        register_module("activation", activation);
        register_module("scale_activation", scaleActivation);
    }

    /// <summary>The squeeze: a 1×1 convolution with bias, C → squeeze channels.</summary>
    internal Conv2d Fc1 => fc1;

    /// <summary>The excitation: a 1×1 convolution with bias, squeeze channels → C.</summary>
    internal Conv2d Fc2 => fc2;

    /// <summary>δ, after <see cref="Fc1"/> (SiLU or ReLU).</summary>
    internal Module<Tensor, Tensor> Activation => activation;

    /// <summary>σ, after <see cref="Fc2"/> (sigmoid or hard sigmoid).</summary>
    internal Module<Tensor, Tensor> ScaleActivation => scaleActivation;

    /// <summary>Scales each channel: N×C×H×W → N×C×H×W. Returns a new tensor.</summary>
    /// <param name="input">The block's input; not modified.</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var scale = input.mean(new long[] { 2, 3 }, keepdim: true);
        scale = scaleActivation.forward(fc2.forward(activation.forward(fc1.forward(scale))));
        return (scale * input).MoveToOuterDisposeScope();
    }
}
