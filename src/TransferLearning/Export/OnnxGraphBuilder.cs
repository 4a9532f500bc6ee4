using System.Runtime.InteropServices;
using Google.Protobuf;
using TransferLearning.Backbones.Onnx.Proto;
using static TorchSharp.torch;

namespace TransferLearning.Export;

/// <summary>
/// Collects the nodes and initializers of one ONNX graph with unique value and node names. Weights are copied from
/// tensors on any device (detached, as float32 or int64, little-endian raw data).
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private int _nodes;

    public OnnxGraphBuilder(int opset, string graphName)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export writes raw little-endian tensor data; this machine is big-endian.");
        Opset = opset;
        Graph = new GraphProto { Name = graphName };
    }

    /// <summary>The ai.onnx opset the nodes are written for.</summary>
    public int Opset { get; }

    public GraphProto Graph { get; }

    /// <summary>Reserves a value name (the hint, or the hint with a suffix when taken).</summary>
    public string Fresh(string hint)
    {
        string name = hint;
        for (int i = 1; !_values.Add(name); i++) name = $"{hint}_{i}";
        return name;
    }

    /// <summary>Adds a node; returns its first output.</summary>
    public string Node(string opType, IEnumerable<string> inputs, string outputHint, params AttributeProto[] attributes) =>
        Node(opType, inputs, new[] { Fresh(outputHint) }, attributes)[0];

    /// <summary>Adds a node with outputs already named by <see cref="Fresh"/>.</summary>
    public string[] Node(string opType, IEnumerable<string> inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodes++}" };
        var list = inputs.ToList();
        while (list.Count > 0 && list[^1].Length == 0) list.RemoveAt(list.Count - 1); // omitted trailing optional inputs
        node.Input.AddRange(list);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Adds the current value of a tensor (float types as float32, integer types as int64) as an initializer.</summary>
    public string Initializer(string hint, Tensor value)
    {
        using var scope = NewDisposeScope();
        var cpu = value.detach().to(CPU).contiguous();
        long[] dims = cpu.shape.ToArray();
        if (cpu.dtype is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte)
            return Initializer(hint, cpu.to_type(ScalarType.Int64).data<long>().ToArray(), dims);
        if (!cpu.is_floating_point()) throw new OnnxExportException($"Tensor '{hint}' has dtype {cpu.dtype}; only floating-point and integer tensors can be exported.");
        return Initializer(hint, cpu.to_type(ScalarType.Float32).data<float>().ToArray(), dims);
    }

    public string Initializer(string hint, float[] values, long[] dims) =>
        AddInitializer(hint, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    public string Initializer(string hint, long[] values, long[] dims) =>
        AddInitializer(hint, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    /// <summary>A float32 scalar initializer.</summary>
    public string Scalar(string hint, float value) => Initializer(hint, new[] { value }, Array.Empty<long>());

    private string AddInitializer(string hint, TensorProto.Types.DataType type, ReadOnlySpan<byte> data, long[] dims)
    {
        var proto = new TensorProto { Name = Fresh(hint), DataType = (int)type, RawData = ByteString.CopyFrom(data) };
        proto.Dims.AddRange(dims);
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A float32 tensor value with a symbolic first dimension and fixed others.</summary>
    public static ValueInfoProto Value(string name, string batchName, params long[] fixedDims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batchName });
        foreach (var d in fixedDims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
