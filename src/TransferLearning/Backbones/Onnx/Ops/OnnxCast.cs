using TransferLearning.Backbones.Onnx.Proto;
using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>ONNX Cast to FLOAT, DOUBLE, FLOAT16, INT32, INT64 or BOOL (the types TorchSharp computes with).</summary>
internal sealed class OnnxCast : OnnxValueNode
{
    private readonly ScalarType _target;

    public OnnxCast(OnnxNodeContext context) : base(context, _ => false)
    {
        context.AllowOnly("to", "saturate");
        if (!context.Has("to")) throw context.Error("to", "the target type 'to' is required.");
        long to = context.Int("to", 0);
        _target = (TensorProto.Types.DataType)to switch
        {
            TensorProto.Types.DataType.Float => ScalarType.Float32,
            TensorProto.Types.DataType.Double => ScalarType.Float64,
            TensorProto.Types.DataType.Float16 => ScalarType.Float16,
            TensorProto.Types.DataType.Int32 => ScalarType.Int32,
            TensorProto.Types.DataType.Int64 => ScalarType.Int64,
            TensorProto.Types.DataType.Bool => ScalarType.Bool,
            _ => throw context.Error("to", $"casting to {(TensorProto.Types.DataType)to} is not supported; supported: FLOAT, DOUBLE, FLOAT16, INT32, INT64, BOOL."),
        };
    }

    protected override Tensor[] Compute(Tensor?[] inputs)
    {
        var x = inputs[0]!;
        return new[] { x.dtype == _target ? x.alias() : x.to_type(_target) };
    }
}
