using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// torchvision's <c>CNBlock</c>: <c>input + stochastic_depth(layer_scale · block(input))</c>, where <c>block</c> is a 7×7 depthwise
/// convolution (<c>block.0</c>), a permute to N×H×W×C (<c>block.1</c>), a layer norm with eps 1e-6 (<c>block.2</c>), a linear to
/// 4·C (<c>block.3</c>), the exact (erf) GELU (<c>block.4</c>), a linear back to C (<c>block.5</c>) and a permute back
/// (<c>block.6</c>); <c>layer_scale</c> is a C×1×1 parameter. Parameter names as torchvision's.
/// </summary>
/// <remarks>
/// Stochastic depth is torchvision's <c>StochasticDepth(p, "row")</c>: in training mode each image's residual branch is zeroed
/// with probability <see cref="StochasticDepthProbability"/> and the kept ones are divided by 1 − p; in inference mode it does
/// nothing. It draws from TorchSharp's global generator (as <c>Dropout</c> does), which the trainer seeds.
/// </remarks>
internal sealed class ConvNeXtBlock : Module<Tensor, Tensor>
{
    /// <summary>The eps of the block's layer norm (torchvision: <c>partial(nn.LayerNorm, eps=1e-6)</c>).</summary>
    internal const double NormEps = 1e-6;

    // Named as registered: TorchSharp also registers module fields by their names.
    private readonly Sequential block;
    private readonly StochasticDepth stochastic_depth;

    /// <summary>Builds the block with PyTorch's default initialisation (<see cref="ConvNeXtFeatures"/> re-initialises it as torchvision does).</summary>
    /// <param name="dim">Channels in and out.</param>
    /// <param name="layerScale">The initial value of every element of <c>layer_scale</c>.</param>
    /// <param name="stochasticDepthProbability">The probability of dropping the residual branch in training mode, 0 … 1.</param>
    public ConvNeXtBlock(int dim, double layerScale, double stochasticDepthProbability) : base("CNBlock")
    {
        if (!(stochasticDepthProbability >= 0 && stochasticDepthProbability <= 1))
            throw new ArgumentOutOfRangeException(nameof(stochasticDepthProbability), $"stochasticDepthProbability must be between 0 and 1; got {stochasticDepthProbability}.");
        StochasticDepthProbability = stochasticDepthProbability;
        block = Sequential(
            ("0", Conv2d(dim, dim, kernel_size: 7, padding: 3, groups: dim, bias: true)),
            ("1", new ConvNeXtPermute(0, 2, 3, 1)),
            ("2", LayerNorm(dim, eps: NormEps)),
            ("3", Linear(dim, 4 * dim, hasBias: true)),
            ("4", GELU()),
            ("5", Linear(4 * dim, dim, hasBias: true)),
            ("6", new ConvNeXtPermute(0, 3, 1, 2)));
        // Registered in torchvision's order: its state dict lists layer_scale before block.*.
        register_parameter("layer_scale", new Parameter(full(dim, 1, 1, layerScale)));
        register_module("block", block);
        stochastic_depth = new StochasticDepth(stochasticDepthProbability);
        register_module("stochastic_depth", stochastic_depth); // as torchvision's CNBlock; no tensors, no state-dict keys
    }

    /// <summary>The probability of dropping the residual branch of an image in training mode.</summary>
    public double StochasticDepthProbability { get; }

    /// <summary>The branch, <c>block</c>: depthwise convolution, permute, layer norm, linear, GELU, linear, permute.</summary>
    internal Sequential Block => block;

    /// <summary>The C×1×1 <c>layer_scale</c> parameter that multiplies the branch.</summary>
    internal Tensor LayerScale => get_parameter("layer_scale")!;

    /// <summary>Runs the block: N×C×H×W → N×C×H×W. Returns a new tensor.</summary>
    /// <param name="input">The block's input; not modified.</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var result = stochastic_depth.forward(get_parameter("layer_scale")! * block.forward(input));
        return (result + input).MoveToOuterDisposeScope();
    }
}
