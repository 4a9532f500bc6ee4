using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// A residual block of a <see cref="ResNetFeatures"/> trunk: <c>relu(branch(x) + shortcut(x))</c>, where the shortcut is the
/// identity or, when the block changes the stride or the channel count, <c>downsample</c> (a 1×1 convolution and a batch norm,
/// torchvision's <c>downsample.0</c> and <c>downsample.1</c>).
/// </summary>
internal abstract class ResNetBlock : Module<Tensor, Tensor>
{
    /// <summary>Names the block type (torchvision's class name).</summary>
    /// <param name="name">The module name.</param>
    protected ResNetBlock(string name) : base(name) { }

    /// <summary>The residual branch's layers in the order they run (a shared ReLU may appear more than once).</summary>
    internal abstract IReadOnlyList<(string Name, Module<Tensor, Tensor> Module)> Branch { get; }

    /// <summary>The projection shortcut, or <c>null</c> for the identity.</summary>
    internal abstract Sequential? Downsample { get; }

    /// <summary>Runs the block: N×C×H×W → N×C'×H/s×W/s. Returns a new tensor.</summary>
    /// <param name="input">The block's input; not modified.</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var (_, module) in Branch) x = module.forward(x);
        var shortcut = Downsample is { } downsample ? downsample.forward(input) : input;
        return functional.relu(x + shortcut).MoveToOuterDisposeScope();
    }

    /// <summary>A 1×1 projection with its batch norm, torchvision's <c>downsample</c>.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">The block's stride.</param>
    internal static Sequential CreateDownsample(int inChannels, int outChannels, int stride) => Sequential(
        ("0", Conv2d(inChannels, outChannels, kernel_size: 1, stride: stride, bias: false)),
        ("1", BatchNorm2d(outChannels)));
}
