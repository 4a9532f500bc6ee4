using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Flatten (<c>axis</c>) and Reshape (constant shape; 0 copies the input dimension, −1 is inferred). So that the
/// batch stays dynamic, a Reshape whose first target dimension equals the graph input's fixed declared batch size
/// (for example the 1 that CNTK and many exports write) keeps the run-time batch size instead.
/// </summary>
internal sealed class OnnxReshape : OnnxNode
{
    private readonly long _axis;
    private readonly long[]? _shape;

    public OnnxReshape(OnnxNodeContext context) : base(context, new[] { 0 })
    {
        if (context.Constant(0) is not null) throw context.Error("data", $"a constant input to {context.OpType} is not supported.");
        if (context.OpType == "Flatten")
        {
            context.AllowOnly("axis");
            _axis = context.Int("axis", 1);
            return;
        }
        context.AllowOnly("allowzero");
        _shape = context.ConstantLongs(1, "shape");
        if (_shape.Count(d => d == -1) > 1 || _shape.Any(d => d < -1)) throw context.Error("shape", $"invalid target shape [{string.Join(", ", _shape)}].");
        if (context.Int("allowzero", 0) != 0 && _shape.Contains(0))
            throw context.Error("allowzero", "allowzero = 1 with a 0 in the target shape (an empty tensor) is not supported.");
        if (_shape.Length > 0 && context.DeclaredBatch is long batch && _shape[0] == batch) _shape[0] = 0;
    }

    public override Tensor[] Run(Tensor[] inputs)
    {
        var x = inputs[0];
        if (_shape is null)
        {
            long axis = _axis < 0 ? _axis + x.dim() : _axis;
            if (axis < 0 || axis > x.dim()) throw new InvalidOperationException($"ONNX node '{NodeName}' (Flatten): axis {_axis} is out of range for a rank-{x.dim()} input.");
            long outer = x.shape.Take((int)axis).Aggregate(1L, (a, b) => a * b);
            return new[] { x.reshape(outer, -1) };
        }
        var target = _shape.Select((d, i) => d == 0 ? x.shape[i] : d).ToArray();
        return new[] { x.reshape(target) };
    }
}
