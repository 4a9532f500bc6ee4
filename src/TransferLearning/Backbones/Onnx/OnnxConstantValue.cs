using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx;

/// <summary>A small constant input of an imported ONNX node as managed values: int64 or float32, with its shape.</summary>
/// <param name="Dims">The shape (empty for a scalar).</param>
/// <param name="Longs">The values when the constant is an integer tensor; else <c>null</c>.</param>
/// <param name="Floats">The values when the constant is a floating-point tensor; else <c>null</c>.</param>
internal sealed record OnnxConstantValue(long[] Dims, long[]? Longs, float[]? Floats)
{
    /// <summary>Copies a constant tensor (the importer's int64 or float32 constants).</summary>
    public static OnnxConstantValue From(Tensor value)
    {
        long[] dims = value.shape.ToArray();
        if (value.dtype == ScalarType.Int64) return new OnnxConstantValue(dims, value.data<long>().ToArray(), null);
        using var asFloat = value.to_type(ScalarType.Float32);
        return new OnnxConstantValue(dims, null, asFloat.data<float>().ToArray());
    }
}
