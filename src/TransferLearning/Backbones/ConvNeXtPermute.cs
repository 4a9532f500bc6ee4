using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>torchvision's <c>ops.misc.Permute</c> inside a ConvNeXt block (no parameters): <c>x.permute(dims)</c>.</summary>
internal sealed class ConvNeXtPermute : Module<Tensor, Tensor>
{
    private readonly long[] _dims;

    /// <summary>Creates the layer.</summary>
    /// <param name="dims">The new order of the dimensions.</param>
    public ConvNeXtPermute(params long[] dims) : base("Permute") => _dims = dims.ToArray();

    /// <summary>The new order of the dimensions.</summary>
    public IReadOnlyList<long> Dims => _dims;

    /// <summary>Returns a permuted view of <paramref name="input"/> (a new tensor object).</summary>
    /// <param name="input">The tensor; not modified.</param>
    public override Tensor forward(Tensor input) => input.permute(_dims);
}
