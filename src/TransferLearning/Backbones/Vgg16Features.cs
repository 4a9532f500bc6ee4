using TorchSharp;
using TorchSharp.Modules;
using TransferLearning.Native;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// VGG16's convolutional feature extractor in torchvision's exact layout (<c>features.0</c> … <c>features.30</c>:
/// 13 convolutions with ReLU, 5 max-pools; the parameters are <c>features.0</c> … <c>features.28</c>,
/// 14,714,688 values), so torchvision state dicts load by name. <see cref="Vgg16"/> builds a whole backbone.
/// </summary>
public sealed class Vgg16Features : Module<Tensor, Tensor>
{
    /// <summary>Channels of each convolution, with <c>0</c> marking a 2×2 max-pool (torchvision's configuration "D").</summary>
    internal static readonly int[] Configuration = { 64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0 };

    private readonly Sequential features;

    /// <summary>Builds the layers with PyTorch's default random initialisation, on the CPU.</summary>
    public Vgg16Features() : base("Vgg16Features")
    {
        TorchNative.EnsureLoaded();
        features = CreateLayers();
        RegisterComponents();
    }

    /// <summary>
    /// The layers as one <c>Sequential</c> named <c>0</c> … <c>30</c>; registered under <c>features</c> they give
    /// torchvision's key names. Indices of the max-pools: 4, 9, 16, 23, 30.
    /// </summary>
    internal static Sequential CreateLayers() => ModuleTensors.Build(CreateLayersInScope);

    private static Sequential CreateLayersInScope()
    {
        TorchNative.EnsureLoaded();
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int inChannels = 3;
        foreach (int channels in Configuration)
        {
            if (channels == 0)
            {
                layers.Add((layers.Count.ToString(), MaxPool2d(kernel_size: 2, stride: 2)));
                continue;
            }
            layers.Add((layers.Count.ToString(), Conv2d(inChannels, channels, kernel_size: 3, padding: 1)));
            layers.Add((layers.Count.ToString(), ReLU(inplace: true)));
            inChannels = channels;
        }
        return Sequential(layers);
    }

    /// <summary>Number of channels of the feature map (512).</summary>
    public int OutputChannels => 512;

    /// <summary>Runs the layers: N×3×H×W → N×512×H/32×W/32.</summary>
    public override Tensor forward(Tensor input)
    {
        return features.forward(input);
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
