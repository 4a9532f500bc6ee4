using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// torchvision's <c>ops.Conv2dNormActivation</c>, shared by <see cref="EfficientNetFeatures"/> and <see cref="MobileNetV3Features"/>:
/// a <c>Sequential</c> of <c>0</c> a convolution without bias (padding <c>(kernel − 1) / 2</c>, "same" at stride 1), <c>1</c> a
/// batch norm and, unless the activation is <c>null</c>, <c>2</c> the activation, so its state-dict keys are torchvision's
/// (<c>0.weight</c>, <c>1.weight</c>, <c>1.running_mean</c> …).
/// </summary>
internal static class ConvNormActivation
{
    /// <summary>Builds the block with PyTorch's default initialisation (the trunks re-initialise the convolutions).</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel size (odd).</param>
    /// <param name="norm">The batch norm's epsilon and momentum (PyTorch's convention: the weight of the new batch).</param>
    /// <param name="activation">Creates the activation; <c>null</c> for none (the projection of an inverted residual).</param>
    /// <param name="stride">The convolution's stride. Default 1.</param>
    /// <param name="groups">The convolution's groups: 1, or <paramref name="inChannels"/> for a depthwise convolution. Default 1.</param>
    public static Sequential Create(int inChannels, int outChannels, int kernelSize, BatchNormSettings norm,
        Func<Module<Tensor, Tensor>>? activation, int stride = 1, int groups = 1)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("0", Conv2d(inChannels, outChannels, kernel_size: kernelSize, stride: stride, padding: (kernelSize - 1) / 2, groups: groups, bias: false)),
            ("1", BatchNorm2d(outChannels, eps: norm.Eps, momentum: norm.Momentum)),
        };
        if (activation is not null) layers.Add((layers.Count.ToString(CultureInfo.InvariantCulture), activation()));
        return Sequential(layers);
    }
}

/// <summary>A batch norm's epsilon and momentum (PyTorch's convention: the running statistics keep 1 − momentum of their value per batch).</summary>
/// <param name="Eps">Added to the variance.</param>
/// <param name="Momentum">The weight of each new batch in the running statistics.</param>
internal readonly record struct BatchNormSettings(double Eps, double Momentum)
{
    /// <summary>PyTorch's defaults (eps 1e-5, momentum 0.1), which torchvision's EfficientNet-B0 … B7 keep.</summary>
    public static BatchNormSettings PyTorchDefault => new(1e-5, 0.1);

    /// <summary>torchvision's MobileNetV3: <c>partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)</c>.</summary>
    public static BatchNormSettings MobileNetV3 => new(1e-3, 0.01);
}
