using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// torchvision's <c>Bottleneck</c> (expansion 4, "ResNet v1.5": the stride sits on the 3×3 convolution): <c>conv1</c> 1×1,
/// <c>bn1</c>, ReLU, <c>conv2</c> 3×3 (stride), <c>bn2</c>, ReLU, <c>conv3</c> 1×1 to 4 × planes, <c>bn3</c>, plus the shortcut.
/// </summary>
internal sealed class ResNetBottleneck : ResNetBlock
{
    /// <summary>Output channels per plane.</summary>
    public const int Expansion = 4;

    private readonly (string, Module<Tensor, Tensor>)[] _branch;
    private readonly Sequential? _downsample;

    /// <summary>Builds the block with PyTorch's default initialisation (<see cref="ResNetFeatures"/> re-initialises the convolutions).</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">Channels of the inner convolutions; the output has <see cref="Expansion"/> × as many.</param>
    /// <param name="stride">Stride of <c>conv2</c> (1 or 2).</param>
    /// <param name="downsample">The projection shortcut, or <c>null</c> for the identity.</param>
    public ResNetBottleneck(int inChannels, int planes, int stride, Sequential? downsample) : base("Bottleneck")
    {
        var conv1 = Conv2d(inChannels, planes, kernel_size: 1, bias: false);
        var bn1 = BatchNorm2d(planes);
        var conv2 = Conv2d(planes, planes, kernel_size: 3, stride: stride, padding: 1, bias: false);
        var bn2 = BatchNorm2d(planes);
        var conv3 = Conv2d(planes, planes * Expansion, kernel_size: 1, bias: false);
        var bn3 = BatchNorm2d(planes * Expansion);
        var relu = ReLU();
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("conv2", conv2);
        register_module("bn2", bn2);
        register_module("conv3", conv3);
        register_module("bn3", bn3);
        register_module("relu", relu);
        if (downsample is not null) register_module("downsample", downsample);
        _downsample = downsample;
        _branch = new (string, Module<Tensor, Tensor>)[]
        {
            ("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2), ("relu", relu), ("conv3", conv3), ("bn3", bn3),
        };
    }

    /// <inheritdoc />
    internal override IReadOnlyList<(string Name, Module<Tensor, Tensor> Module)> Branch => _branch;

    /// <inheritdoc />
    internal override Sequential? Downsample => _downsample;
}
