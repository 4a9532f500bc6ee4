using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Gemm (Y = alpha·A'·B' + beta·C with transA/transB) and MatMul. Constant B and C (and a constant MatMul
/// operand) become trainable parameters, stored in the file's layout.
/// </summary>
internal sealed class OnnxGemm : OnnxNode
{
    private readonly bool _gemm;
    private readonly bool _transA, _transB;
    private readonly float _alpha, _beta;
    private readonly bool _constantA, _constantB, _hasC, _constantC;

    public OnnxGemm(OnnxNodeContext context) : base(context, RuntimeIndices(context, 0, 1, 2))
    {
        _gemm = context.OpType == "Gemm";
        if (_gemm)
        {
            context.AllowOnly("alpha", "beta", "transA", "transB", "broadcast");
            if (context.Opset < 7 && context.Int("broadcast", 0) != 1) throw context.Error("broadcast", "broadcast = 0 is not supported.");
            _transA = context.Int("transA", 0) != 0;
            _transB = context.Int("transB", 0) != 0;
            _alpha = context.Float("alpha", 1f);
            _beta = context.Float("beta", 1f);
            _hasC = context.HasInput(2);
        }
        else
        {
            context.AllowOnly();
            _alpha = 1f;
        }
        var a = context.Constant(0);
        var b = context.Constant(1);
        var c = _hasC ? context.Constant(2) : null;
        if (a is not null) { register_parameter("A", new Parameter(a.clone())); _constantA = true; }
        if (b is not null) { register_parameter("B", new Parameter(b.clone())); _constantB = true; }
        if (c is not null) { register_parameter("C", new Parameter(c.clone())); _constantC = true; }
        if (_constantA && _constantB) throw context.Error("A", "both operands are constants; fold them before import.");
    }

    public override Tensor[] Run(Tensor[] inputs)
    {
        int next = 0;
        var a = _constantA ? Param("A") : inputs[next++];
        var b = _constantB ? Param("B") : inputs[next++];
        if (!_gemm) return new[] { a.matmul(b) };
        if (_transA) a = a.t();
        if (_transB) b = b.t();
        var y = a.matmul(b);
        if (_alpha != 1f) y = y * _alpha;
        if (_hasC)
        {
            var c = _constantC ? Param("C") : inputs[next];
            y = _beta == 1f ? y + c : y + c * _beta;
        }
        return new[] { y };
    }
}
