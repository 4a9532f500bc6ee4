using TransferLearning.Native;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// The input transform a backbone's weights were trained with, run inside the model on its device:
/// <c>output[c] = (input[order[c]] * Scale - Mean[c]) / Std[c]</c> for a float N×3×H×W batch with values 0..255.
/// Belongs to the weights, so training, evaluation and prediction always preprocess the same way.
/// </summary>
public sealed class ImagePreprocessing : Module<Tensor, Tensor>
{
    private readonly Tensor mean;
    private readonly Tensor std;

    /// <summary>Creates a preprocessing step. Values are copied.</summary>
    /// <param name="name">A short name saved with models (for example <c>imagenet</c>, <c>caffe</c>).</param>
    /// <param name="channelOrder">Channel order the weights expect; the input is RGB.</param>
    /// <param name="scale">Factor applied to 0..255 input first (1/255 for torchvision).</param>
    /// <param name="mean">Per-channel value subtracted after scaling, in the weights' channel order.</param>
    /// <param name="std">Per-channel divisor, in the weights' channel order; all 1 for none.</param>
    public ImagePreprocessing(string name, ChannelOrder channelOrder, float scale, IReadOnlyList<float> mean, IReadOnlyList<float> std)
        : base("ImagePreprocessing")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (mean is null || mean.Count != 3) throw new ArgumentException($"mean must have 3 values; got {mean?.Count.ToString() ?? "null"}.", nameof(mean));
        if (std is null || std.Count != 3) throw new ArgumentException($"std must have 3 values; got {std?.Count.ToString() ?? "null"}.", nameof(std));
        if (std.Any(s => !(s > 0))) throw new ArgumentOutOfRangeException(nameof(std), $"std values must be > 0; got [{string.Join(", ", std)}].");
        if (!(scale > 0) || float.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"scale must be a finite value > 0; got {scale}.");
        TorchNative.EnsureLoaded();
        Name = name;
        ChannelOrder = channelOrder;
        Scale = scale;
        float[] meanValues = mean.ToArray(), stdValues = std.ToArray();
        Mean = meanValues;
        Std = stdValues;
        // Owned by this module alone, whatever dispose scope builds it (freed by Dispose).
        this.mean = tensor(meanValues, new long[] { 1, 3, 1, 1 }).DetachFromDisposeScope();
        this.std = tensor(stdValues, new long[] { 1, 3, 1, 1 }).DetachFromDisposeScope();
        register_buffer("mean", this.mean, persistent: false);
        register_buffer("std", this.std, persistent: false);
    }

    /// <summary>torchvision's ImageNet preprocessing: RGB / 255, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).</summary>
    public static ImagePreprocessing ImageNet() =>
        new("imagenet", ChannelOrder.Rgb, 1f / 255f, new[] { 0.485f, 0.456f, 0.406f }, new[] { 0.229f, 0.224f, 0.225f });

    /// <summary>Caffe / Keras <c>preprocess_input</c> for VGG16: RGB→BGR, subtract (103.939, 116.779, 123.68), no scaling.</summary>
    public static ImagePreprocessing Caffe() =>
        new("caffe", ChannelOrder.Bgr, 1f, new[] { 103.939f, 116.779f, 123.68f }, new[] { 1f, 1f, 1f });

    /// <summary>No change: the weights take 0..255 RGB as it is.</summary>
    public static ImagePreprocessing Identity() =>
        new("identity", ChannelOrder.Rgb, 1f, new[] { 0f, 0f, 0f }, new[] { 1f, 1f, 1f });

    /// <summary>A short name saved with models.</summary>
    public string Name { get; }

    /// <summary>Channel order the weights expect.</summary>
    public ChannelOrder ChannelOrder { get; }

    /// <summary>Factor applied to the 0..255 input first.</summary>
    public float Scale { get; }

    /// <summary>Per-channel mean subtracted after scaling, in <see cref="ChannelOrder"/>.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Per-channel divisor, in <see cref="ChannelOrder"/>.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>Applies the transform to a float N×3×H×W batch (0..255); returns a new tensor.</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != 3)
            throw new ArgumentException($"Expected an N x 3 x H x W batch; got shape [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = NewDisposeScope();
        var x = ChannelOrder == ChannelOrder.Bgr ? input.flip(1) : input;
        var result = (x * Scale - mean) / std;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Frees every parameter and buffer of this module and its children, then the modules (TorchSharp 0.107's
    /// <c>Module.Dispose</c> leaves children's tensors alive).
    /// </summary>
    /// <param name="disposing"><c>true</c> from <c>Dispose()</c>; <c>false</c> from the finalizer, which frees nothing managed.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ModuleTensors.DisposeTree(this);
            mean.Dispose(); // non-persistent buffers are not listed by named_buffers in TorchSharp 0.107
            std.Dispose();
        }
        base.Dispose(disposing);
    }
}
