using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// torchvision's <c>convnext.LayerNorm2d</c>: a layer norm over the channels of an N×C×H×W map at each position (permute to
/// N×H×W×C, <c>layer_norm</c> over C, permute back). Parameters <c>weight</c> (ones) and <c>bias</c> (zeros), as torchvision's.
/// </summary>
internal sealed class LayerNorm2d : Module<Tensor, Tensor>
{
    private readonly long[] _normalizedShape;

    /// <summary>Creates the layer.</summary>
    /// <param name="channels">C.</param>
    /// <param name="eps">Added to the variance (torchvision's ConvNeXt: 1e-6).</param>
    public LayerNorm2d(int channels, double eps) : base("LayerNorm2d")
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), $"channels must be at least 1; got {channels}.");
        Eps = eps;
        _normalizedShape = new long[] { channels };
        register_parameter("weight", new Parameter(ones(channels)));
        register_parameter("bias", new Parameter(zeros(channels)));
    }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <summary>The per-channel scale, <c>weight</c>.</summary>
    internal Tensor Weight => get_parameter("weight")!;

    /// <summary>The per-channel shift, <c>bias</c>.</summary>
    internal Tensor Bias => get_parameter("bias")!;

    /// <summary>Normalises each position's channels: N×C×H×W → N×C×H×W. Returns a new tensor.</summary>
    /// <param name="input">The map; not modified.</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.permute(0, 2, 3, 1);
        x = functional.layer_norm(x, _normalizedShape, get_parameter("weight")!, get_parameter("bias")!, Eps);
        return x.permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }
}
