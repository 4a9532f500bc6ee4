using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// torchvision's <c>BasicBlock</c> (expansion 1): <c>conv1</c> 3×3 (stride), <c>bn1</c>, ReLU, <c>conv2</c> 3×3, <c>bn2</c>,
/// plus the shortcut; parameter names as torchvision's.
/// </summary>
internal sealed class ResNetBasicBlock : ResNetBlock
{
    private readonly (string, Module<Tensor, Tensor>)[] _branch;
    private readonly Sequential? _downsample;

    /// <summary>Builds the block with PyTorch's default initialisation (<see cref="ResNetFeatures"/> re-initialises the convolutions).</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">Channels of both convolutions and of the output.</param>
    /// <param name="stride">Stride of <c>conv1</c> (1 or 2).</param>
    /// <param name="downsample">The projection shortcut, or <c>null</c> for the identity.</param>
    public ResNetBasicBlock(int inChannels, int planes, int stride, Sequential? downsample) : base("BasicBlock")
    {
        var conv1 = Conv2d(inChannels, planes, kernel_size: 3, stride: stride, padding: 1, bias: false);
        var bn1 = BatchNorm2d(planes);
        var relu = ReLU();
        var conv2 = Conv2d(planes, planes, kernel_size: 3, stride: 1, padding: 1, bias: false);
        var bn2 = BatchNorm2d(planes);
        // Registered in torchvision's order, so the state dict lists its keys as torchvision does.
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("relu", relu);
        register_module("conv2", conv2);
        register_module("bn2", bn2);
        if (downsample is not null) register_module("downsample", downsample);
        _downsample = downsample;
        _branch = new (string, Module<Tensor, Tensor>)[] { ("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2) };
    }

    /// <inheritdoc />
    internal override IReadOnlyList<(string Name, Module<Tensor, Tensor> Module)> Branch => _branch;

    /// <inheritdoc />
    internal override Sequential? Downsample => _downsample;
}
