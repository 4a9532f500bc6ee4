using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>ONNX Transpose: <c>perm</c> (default: the axes reversed), as a TorchSharp permute.</summary>
internal sealed class OnnxTranspose : OnnxValueNode
{
    private readonly long[]? _perm;

    public OnnxTranspose(OnnxNodeContext context) : base(context)
    {
        context.AllowOnly("perm");
        _perm = context.Ints("perm");
        if (_perm is not null && _perm.OrderBy(p => p).Where((p, i) => p != i).Any())
            throw context.Error("perm", $"perm [{string.Join(", ", _perm)}] is not a permutation of 0..{_perm.Length - 1}.");
    }

    protected override Tensor[] Compute(Tensor?[] inputs)
    {
        var x = inputs[0]!;
        long[] perm = _perm ?? Enumerable.Range(0, (int)x.dim()).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != x.dim()) throw Failure($"perm [{string.Join(", ", perm)}] does not fit an input of shape [{string.Join(", ", x.shape)}].");
        return new[] { x.permute(perm) };
    }
}
