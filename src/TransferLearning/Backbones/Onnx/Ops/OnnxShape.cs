using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// Shape arithmetic sources: Shape (with <c>start</c>/<c>end</c> from opset 15) and ConstantOfShape. Evaluated on
/// every run, so that a shape that depends on the batch (or image) size stays dynamic; when the input is a constant
/// the importer folds the node once at import.
/// </summary>
internal sealed class OnnxShape : OnnxValueNode
{
    private readonly long? _start, _end;
    private readonly bool _hasValue;

    public OnnxShape(OnnxNodeContext context) : base(context)
    {
        switch (context.OpType)
        {
            case "Shape":
                context.AllowOnly("start", "end");
                if (context.Has("start")) _start = context.Int("start", 0);
                if (context.Has("end")) _end = context.Int("end", 0);
                break;
            case "ConstantOfShape":
                context.AllowOnly("value");
                if (context.TensorAttribute("value") is { } proto)
                {
                    using var value = OnnxTensors.ToTensor(proto, $"ONNX node '{context.DisplayName}' (op ConstantOfShape) value");
                    if (value.numel() != 1) throw context.Error("value", $"value must hold one element; got shape [{string.Join(", ", value.shape)}].");
                    register_buffer("value", value.reshape(Array.Empty<long>()).clone());
                    _hasValue = true;
                }
                break;
            default:
                throw context.Error(null, "internal: not a shape op.");
        }
    }

    protected override Tensor[] Compute(Tensor?[] inputs)
    {
        var x = inputs[0]!;
        if (OpType == "Shape")
        {
            long rank = x.dim();
            long start = Clamp(_start ?? 0, rank), end = Clamp(_end ?? rank, rank);
            var dims = x.shape.Skip((int)start).Take((int)Math.Max(0, end - start)).ToArray();
            return new[] { tensor(dims, new long[] { dims.Length }, device: x.device) };
        }
        long[] shape = Longs(x);
        if (shape.Any(d => d < 0)) throw Failure($"negative dimension in shape [{string.Join(", ", shape)}].");
        if (!_hasValue) return new[] { zeros(shape, ScalarType.Float32, device: x.device) };
        return new[] { Buffer("value").to(x.device).expand(shape).clone() };
    }

    private static long Clamp(long axis, long rank) => Math.Clamp(axis < 0 ? axis + rank : axis, 0, rank);
}
