using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Add, Sub, Mul and Div with numpy broadcasting (opset 7+). Either operand may be a constant (an initializer or
/// a Constant output), kept as a fixed buffer: constants of arithmetic ops are not trained.
/// </summary>
internal sealed class OnnxBinary : OnnxNode
{
    private readonly bool _constantA;
    private readonly bool _constantB;
    private readonly Func<Tensor, Tensor, Tensor> _op;

    public OnnxBinary(OnnxNodeContext context) : base(context, RuntimeIndices(context, 0, 1))
    {
        context.AllowOnly();
        if (context.InputCount != 2) throw context.Error("inputs", $"expected 2 inputs; got {context.InputCount}.");
        _op = context.OpType switch
        {
            "Add" => (a, b) => a + b,
            "Sub" => (a, b) => a - b,
            "Mul" => (a, b) => a * b,
            "Div" => (a, b) => a / b,
            _ => throw context.Error(null, "internal: not a binary op."),
        };
        var a = context.Constant(0);
        var b = context.Constant(1);
        if (a is not null) { register_buffer("a", a.clone()); _constantA = true; }
        if (b is not null) { register_buffer("b", b.clone()); _constantB = true; }
    }

    public override Tensor[] Run(Tensor[] inputs)
    {
        int next = 0;
        var a = _constantA ? Buffer("a") : inputs[next++];
        var b = _constantB ? Buffer("b") : inputs[next];
        return new[] { _op(a, b) };
    }
}
