using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>ONNX Where(condition, X, Y) with numpy broadcasting; any input may be a constant or computed.</summary>
internal sealed class OnnxWhere : OnnxValueNode
{
    public OnnxWhere(OnnxNodeContext context) : base(context, i => i > 0)
    {
        context.AllowOnly();
        if (context.InputCount != 3) throw context.Error("inputs", $"expected 3 inputs (condition, X, Y); got {context.InputCount}.");
    }

    protected override Tensor[] Compute(Tensor?[] inputs)
    {
        var condition = inputs[0]!;
        if (condition.dtype != ScalarType.Bool) condition = condition.to_type(ScalarType.Bool);
        return new[] { where(condition, inputs[1]!, inputs[2]!) };
    }
}
