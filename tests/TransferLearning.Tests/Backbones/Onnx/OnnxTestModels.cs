using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Backbones.Onnx.Proto;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones.Onnx;

/// <summary>Builds small ONNX models with the generated classes and runs them in ONNX Runtime and in the importer.</summary>
internal static class OnnxTestModels
{
    public static ModelProto Model(int opset, long[] inputShape, IEnumerable<NodeProto> nodes, IEnumerable<TensorProto>? initializers = null, string output = "y")
    {
        var graph = new GraphProto { Name = "test" };
        graph.Node.AddRange(nodes);
        if (initializers is not null) graph.Initializer.AddRange(initializers);
        graph.Input.Add(Value("x", inputShape));
        graph.Output.Add(Value(output, null));
        var model = new ModelProto { IrVersion = 8, ProducerName = "TransferLearning.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    public static ValueInfoProto Value(string name, long[]? shape)
    {
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        if (shape is not null)
        {
            type.Shape = new TensorShapeProto();
            foreach (var d in shape) type.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = type } };
    }

    public static NodeProto Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_node" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Str(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A float initializer with seeded random values (raw_data when <paramref name="raw"/>, else float_data).</summary>
    public static TensorProto Random(string name, long[] dims, int seed, float scale = 1f, float offset = 0f, bool raw = false)
    {
        var random = new Random(seed);
        long count = dims.Aggregate(1L, (a, b) => a * b);
        var data = Enumerable.Range(0, (int)count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale + offset).ToArray();
        return Floats(name, dims, data, raw);
    }

    public static TensorProto Floats(string name, long[] dims, float[] data, bool raw = false)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        if (raw)
        {
            var bytes = new byte[data.Length * 4];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            t.RawData = ByteString.CopyFrom(bytes);
        }
        else t.FloatData.AddRange(data);
        return t;
    }

    public static TensorProto Longs(string name, params long[] data)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(data.Length);
        t.Int64Data.AddRange(data);
        return t;
    }

    public static float[] RandomInput(long[] shape, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        return Enumerable.Range(0, (int)count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    /// <summary>Runs <paramref name="model"/> in ONNX Runtime (CPU, default options).</summary>
    public static (float[] Data, long[] Shape) RunOrt(ModelProto model, float[] input, long[] shape, string output = "y")
    {
        using var session = new InferenceSession(model.ToByteArray());
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var options = new RunOptions();
        using var results = session.Run(options, new[] { model.Graph.Input[0].Name }, new[] { value }, new[] { output });
        var result = results[0];
        return (result.GetTensorDataAsSpan<float>().ToArray(), result.GetTensorTypeAndShape().Shape);
    }

    /// <summary>Imports <paramref name="model"/> (output <paramref name="output"/>) and runs it in inference mode.</summary>
    public static (float[] Data, long[] Shape) RunImported(ModelProto model, float[] input, long[] shape, string? output = "y")
    {
        using var graph = OnnxGraphImporter.Import(model, "test model", output, "test");
        graph.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var y = graph.forward(tensor(input, shape));
        return (y.data<float>().ToArray(), y.shape);
    }

    /// <summary>max |a − b| / max(1, max |b|): the comparison the issue asks for (≤ 1e-3 of the output's scale).</summary>
    public static double RelativeMaxDiff(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        double diff = actual.Zip(expected, (a, b) => Math.Abs((double)a - b)).DefaultIfEmpty(0).Max();
        return diff / scale;
    }
}
