using System.Runtime.InteropServices;
using TransferLearning.Backbones.Onnx.Proto;
using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx;

/// <summary>Converts ONNX <see cref="TensorProto"/> values (raw_data or typed fields) into TorchSharp tensors.</summary>
internal static class OnnxTensors
{
    /// <summary>Reads a float, double, int32 or int64 tensor. Float and double become float32; integers become int64.</summary>
    public static Tensor ToTensor(TensorProto proto, string what)
    {
        if (proto.DataLocation == TensorProto.Types.DataLocation.External || proto.ExternalData.Count > 0)
        {
            var location = proto.ExternalData.FirstOrDefault(e => e.Key == "location")?.Value ?? "?";
            throw new OnnxImportException(
                $"{what} '{proto.Name}' stores its data in an external file ('{location}'); external data is not supported. " +
                "Save the model with its weights inside the .onnx file (onnx.save_model(..., save_as_external_data=False)).");
        }
        if (proto.Segment is not null)
            throw new OnnxImportException($"{what} '{proto.Name}' is a segment of a larger tensor; segmented tensors are not supported.");
        long[] dims = proto.Dims.ToArray();
        if (dims.Any(d => d < 0)) throw new OnnxImportException($"{what} '{proto.Name}' has a negative dimension [{string.Join(", ", dims)}].");
        long count = dims.Aggregate(1L, (a, b) => a * b);
        var type = (TensorProto.Types.DataType)proto.DataType;
        var raw = proto.RawData.Span;
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
            {
                float[] data = raw.Length > 0 ? MemoryMarshal.Cast<byte, float>(raw).ToArray() : proto.FloatData.ToArray();
                Check(proto, what, data.Length, count);
                return Make(data, dims);
            }
            case TensorProto.Types.DataType.Double:
            {
                double[] data = raw.Length > 0 ? MemoryMarshal.Cast<byte, double>(raw).ToArray() : proto.DoubleData.ToArray();
                Check(proto, what, data.Length, count);
                return Make(data.Select(v => (float)v).ToArray(), dims);
            }
            case TensorProto.Types.DataType.Int64:
            {
                long[] data = raw.Length > 0 ? MemoryMarshal.Cast<byte, long>(raw).ToArray() : proto.Int64Data.ToArray();
                Check(proto, what, data.Length, count);
                return dims.Length == 0 ? tensor(data[0]) : tensor(data, dims);
            }
            case TensorProto.Types.DataType.Int32:
            {
                int[] data = raw.Length > 0 ? MemoryMarshal.Cast<byte, int>(raw).ToArray() : proto.Int32Data.ToArray();
                Check(proto, what, data.Length, count);
                long[] wide = data.Select(v => (long)v).ToArray();
                return dims.Length == 0 ? tensor(wide[0]) : tensor(wide, dims);
            }
            default:
                throw new OnnxImportException($"{what} '{proto.Name}' has data type {type}; supported: FLOAT, DOUBLE, INT32, INT64.");
        }
    }

    private static Tensor Make(float[] data, long[] dims) => dims.Length == 0 ? tensor(data[0]) : tensor(data, dims);

    private static void Check(TensorProto proto, string what, long actual, long expected)
    {
        if (actual != expected)
            throw new OnnxImportException(
                $"{what} '{proto.Name}' holds {actual} values but its dims [{string.Join(", ", proto.Dims)}] need {expected}.");
    }
}
