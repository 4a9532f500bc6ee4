using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Add, Sub, Mul, Div, Pow and Equal with numpy broadcasting (opset 7+), on float or integer tensors (integer
/// Div truncates, as ONNX specifies; Equal gives a bool tensor). Either operand may be a constant: a floating-point
/// weight of the file (an initializer, such as a bias after MatMul, a ConvNeXt layer scale or a position embedding)
/// becomes a trainable parameter; a Constant node's value (such as GELU's 1/√2) or an integer stays a fixed buffer.
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
            "Div" => (a, b) => a.is_floating_point() || b.is_floating_point() ? a / b : a.div(b, RoundingMode.trunc),
            "Pow" => (a, b) => a.pow(b),
            "Equal" => (a, b) => a.eq(b),
            _ => throw context.Error(null, "internal: not a binary op."),
        };
        var a = context.Constant(0);
        var b = context.Constant(1);
        if (a is not null) { Keep("a", a, context.IsWeight(0) && context.OpType is not ("Pow" or "Equal")); _constantA = true; }
        if (b is not null) { Keep("b", b, context.IsWeight(1) && context.OpType is not ("Pow" or "Equal")); _constantB = true; }
    }

    private void Keep(string name, Tensor value, bool trainable)
    {
        if (trainable) register_parameter(name, new TorchSharp.Modules.Parameter(value.detach().clone()));
        else register_buffer(name, value.clone());
    }

    private Tensor Constant(string name) =>
        named_parameters(false).FirstOrDefault(p => p.name == name).parameter as Tensor ?? Buffer(name);

    public override Tensor[] Run(Tensor[] inputs)
    {
        int next = 0;
        var a = _constantA ? Constant("a") : inputs[next++];
        var b = _constantB ? Constant("b") : inputs[next];
        return new[] { _op(a, b) };
    }
}
