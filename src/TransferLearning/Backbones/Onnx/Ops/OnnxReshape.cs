using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Flatten (<c>axis</c>), Reshape (0 copies the input dimension, −1 is inferred), Unsqueeze and Squeeze (axes as
/// an attribute before opset 13, as an input from 13). A Reshape target (or Unsqueeze/Squeeze axes) may be a constant
/// or computed at run time — PyTorch's exporter builds targets from the input's Shape, so that they follow the batch
/// size. So that the batch stays dynamic, a constant Reshape target whose first dimension equals the graph input's
/// fixed declared batch size (for example the 1 that CNTK and many exports write) keeps the run-time batch size instead.
/// </summary>
internal sealed class OnnxReshape : OnnxNode
{
    private readonly long _axis;
    private readonly long[]? _shape;
    private readonly long[]? _axes;
    private readonly bool _runtimeSecond;

    public OnnxReshape(OnnxNodeContext context) : base(context, RuntimeIndices(context, 0, 1))
    {
        if (context.Constant(0) is not null) throw context.Error("data", $"a constant input to {context.OpType} is not supported.");
        _runtimeSecond = context.HasInput(1) && context.Constant(1) is null;
        switch (context.OpType)
        {
            case "Flatten":
                context.AllowOnly("axis");
                _axis = context.Int("axis", 1);
                return;
            case "Reshape":
                context.AllowOnly("allowzero");
                if (!context.HasInput(1)) throw context.Error("shape", "the shape input is required.");
                if (context.Int("allowzero", 0) != 0)
                {
                    if (_runtimeSecond) throw context.Error("allowzero", "allowzero = 1 with a target shape computed at run time is not supported.");
                    if (context.ConstantLongs(1, "shape").Contains(0))
                        throw context.Error("allowzero", "allowzero = 1 with a 0 in the target shape (an empty tensor) is not supported.");
                }
                if (_runtimeSecond) return;
                _shape = context.ConstantLongs(1, "shape");
                if (_shape.Count(d => d == -1) > 1 || _shape.Any(d => d < -1)) throw context.Error("shape", $"invalid target shape [{string.Join(", ", _shape)}].");
                if (_shape.Length > 0 && context.DeclaredBatch is long batch && _shape[0] == batch) _shape[0] = 0;
                return;
            case "Unsqueeze" or "Squeeze":
                if (context.Opset < 13)
                {
                    context.AllowOnly("axes");
                    _axes = context.Ints("axes");
                    if (_axes is null && context.OpType == "Unsqueeze") throw context.Error("axes", "axes is required.");
                }
                else
                {
                    context.AllowOnly();
                    if (context.HasInput(1) && !_runtimeSecond) _axes = context.ConstantLongs(1, "axes");
                    else if (!context.HasInput(1) && context.OpType == "Unsqueeze") throw context.Error("axes", "the axes input is required.");
                }
                return;
            default:
                throw context.Error(null, "internal: not a reshaping op.");
        }
    }

    public override Tensor[] Run(Tensor[] inputs)
    {
        var x = inputs[0];
        switch (OpType)
        {
            case "Flatten":
            {
                long axis = _axis < 0 ? _axis + x.dim() : _axis;
                if (axis < 0 || axis > x.dim()) throw new InvalidOperationException($"ONNX node '{NodeName}' (Flatten): axis {_axis} is out of range for a rank-{x.dim()} input.");
                long outer = x.shape.Take((int)axis).Aggregate(1L, (a, b) => a * b);
                return new[] { x.reshape(outer, -1) };
            }
            case "Reshape":
            {
                long[] shape = _shape ?? Longs(inputs[1]);
                if (shape.Count(d => d == -1) > 1 || shape.Any(d => d < -1))
                    throw new InvalidOperationException($"ONNX node '{NodeName}' (Reshape): invalid target shape [{string.Join(", ", shape)}].");
                var target = shape.Select((d, i) => d == 0 ? x.shape[i] : d).ToArray();
                return new[] { x.reshape(target) };
            }
            case "Unsqueeze":
            {
                long[] axes = _axes ?? Longs(inputs[1]);
                long rank = x.dim() + axes.Length;
                var sorted = axes.Select(a => a < 0 ? a + rank : a).OrderBy(a => a).ToArray();
                if (sorted.Any(a => a < 0 || a >= rank) || sorted.Distinct().Count() != sorted.Length)
                    throw new InvalidOperationException($"ONNX node '{NodeName}' (Unsqueeze): axes [{string.Join(", ", axes)}] are invalid for a rank-{x.dim()} input.");
                var y = x;
                foreach (var a in sorted) y = y.unsqueeze(a);
                return new[] { ReferenceEquals(y, x) ? x.alias() : y };
            }
            default:
            {
                long[]? axes = _axes ?? (inputs.Length > 1 ? Longs(inputs[1]) : null);
                long rank = x.dim();
                var drop = axes is null
                    ? Enumerable.Range(0, (int)rank).Where(i => x.shape[i] == 1).Select(i => (long)i).ToHashSet()
                    : axes.Select(a => a < 0 ? a + rank : a).ToHashSet();
                if (drop.Any(a => a < 0 || a >= rank || x.shape[a] != 1))
                    throw new InvalidOperationException($"ONNX node '{NodeName}' (Squeeze): axes [{string.Join(", ", drop)}] are not all of size 1 in shape [{string.Join(", ", x.shape)}].");
                var shape = x.shape.Where((_, i) => !drop.Contains(i)).ToArray();
                return new[] { x.reshape(shape) };
            }
        }
    }

    private static long[] Longs(Tensor t)
    {
        using var asLong = t.to_type(ScalarType.Int64).cpu();
        using var contiguous = asLong.contiguous();
        return contiguous.data<long>().ToArray();
    }
}
