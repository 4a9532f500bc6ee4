using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Expand: broadcasts the input to a shape (constant or computed at run time) with numpy's rules, so a 1 in the
/// target keeps the input's dimension. A weight input (such as a vision transformer's class token) stays trainable.
/// </summary>
internal sealed class OnnxExpand : OnnxValueNode
{
    public OnnxExpand(OnnxNodeContext context) : base(context, i => i == 0)
    {
        context.AllowOnly();
        if (context.InputCount != 2) throw context.Error("inputs", $"expected 2 inputs (input, shape); got {context.InputCount}.");
    }

    protected override Tensor[] Compute(Tensor?[] inputs)
    {
        var x = inputs[0]!;
        long[] target = Longs(inputs[1]!);
        int rank = Math.Max(target.Length, (int)x.dim());
        var shape = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            int ti = i - (rank - target.Length), xi = i - (rank - (int)x.dim());
            long t = ti >= 0 ? target[ti] : 1, d = xi >= 0 ? x.shape[xi] : 1;
            if (t != d && t != 1 && d != 1) throw Failure($"cannot broadcast shape [{string.Join(", ", x.shape)}] to [{string.Join(", ", target)}].");
            shape[i] = t == 1 ? d : t;
        }
        return new[] { x.expand(shape) };
    }
}
