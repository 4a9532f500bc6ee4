using TransferLearning.Backbones.Onnx;
using TransferLearning.Backbones.Onnx.Proto;
using static TorchSharp.torch;
using static TransferLearning.Tests.Backbones.Onnx.OnnxTestModels;

namespace TransferLearning.Tests.Backbones.Onnx;

/// <summary>
/// The ops of PyTorch-exported classifiers beyond CNN backbones — activations, normalisation, layout, reductions and the
/// shape arithmetic that follows the batch size — each in a small graph that must match ONNX Runtime.
/// </summary>
public sealed class OnnxGraphOpParityTests
{
    private static readonly long[] Image = { 2, 3, 9, 9 };

    private static TensorProto Long(string name, long value) =>
        new() { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, Int64Data = { value } };

    private static TensorProto Scalar(string name, float value) => Floats(name, Array.Empty<long>(), new[] { value });

    private static AttributeProto TensorValue(string name, TensorProto value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    /// <summary>Channel shuffle as PyTorch exports it: the target shapes are built from the input's Shape (batch included).</summary>
    private static ModelProto ChannelShuffle(long[] image) => Model(13, image, new[]
    {
        Node("Shape", new[] { "x" }, new[] { "s" }),
        Node("Gather", new[] { "s", "zero" }, new[] { "n" }, Int("axis", 0)),
        Node("Unsqueeze", new[] { "n", "axis0" }, new[] { "n1" }),
        Node("Concat", new[] { "n1", "groups" }, new[] { "five" }, Int("axis", 0)),
        Node("Reshape", new[] { "x", "five" }, new[] { "r" }),
        Node("Transpose", new[] { "r" }, new[] { "t" }, Ints("perm", 0, 2, 1, 3, 4)),
        Node("Concat", new[] { "n1", "rest" }, new[] { "four" }, Int("axis", 0)),
        Node("Reshape", new[] { "t", "four" }, new[] { "y" }),
    }, new[] { Long("zero", 0), Longs("axis0", 0), Longs("groups", 2, 2, 6, 6), Longs("rest", -1, 6, 6) });

    /// <summary>Numbers the nodes (ONNX Runtime refuses two nodes of one name).</summary>
    private static (ModelProto Model, long[] Shape) Case(string name)
    {
        var (model, shape) = Build(name);
        for (int i = 0; i < model.Graph.Node.Count; i++) model.Graph.Node[i].Name = $"{model.Graph.Node[i].OpType}_{i}";
        return (model, shape);
    }

    private static (ModelProto Model, long[] Shape) Build(string name) => name switch
    {
        "HardSwish" => (Model(14, Image, new[] { Node("HardSwish", new[] { "x" }, new[] { "y" }) }), Image),
        "HardSigmoid" => (Model(13, Image, new[] { Node("HardSigmoid", new[] { "x" }, new[] { "y" }, Float("alpha", 0.3f), Float("beta", 0.4f)) }), Image),
        "Erf" => (Model(13, Image, new[] { Node("Erf", new[] { "x" }, new[] { "y" }) }), Image),
        "Sqrt" => (Model(13, Image, new[] { Node("Mul", new[] { "x", "x" }, new[] { "s" }), Node("Sqrt", new[] { "s" }, new[] { "y" }) }), Image),
        "Pow_constant_exponent" => (Model(13, Image, new[] { Node("Pow", new[] { "x", "e" }, new[] { "y" }) }, new[] { Scalar("e", 2f) }), Image),
        "Equal_Where" => (Model(13, Image, new[]
        {
            Node("Relu", new[] { "x" }, new[] { "r" }), Node("Equal", new[] { "r", "x" }, new[] { "b" }), Node("Where", new[] { "b", "x", "c" }, new[] { "y" }),
        }, new[] { Random("c", new long[] { 9 }, 1) }), Image),
        "Transpose_perm" => (Model(13, Image, new[] { Node("Transpose", new[] { "x" }, new[] { "y" }, Ints("perm", 0, 2, 3, 1)) }), Image),
        "Transpose_default_reverses" => (Model(13, Image, new[] { Node("Transpose", new[] { "x" }, new[] { "y" }) }), Image),
        "Softmax_opset13_axis1" => (Model(13, Image, new[] { Node("Softmax", new[] { "x" }, new[] { "y" }, Int("axis", 1)) }), Image),
        "Softmax_opset11_flattens" => (Model(11, Image, new[] { Node("Softmax", new[] { "x" }, new[] { "y" }, Int("axis", 2)) }), Image),
        "LogSoftmax_opset13" => (Model(13, Image, new[] { Node("LogSoftmax", new[] { "x" }, new[] { "y" }) }), Image),
        "ReduceMean_attribute_keepdims0" => (Model(13, Image, new[] { Node("ReduceMean", new[] { "x" }, new[] { "y" }, Ints("axes", 2, 3), Int("keepdims", 0)) }), Image),
        "ReduceSum_opset13_input" => (Model(13, Image, new[] { Node("ReduceSum", new[] { "x", "a" }, new[] { "y" }) }, new[] { Longs("a", 1) }), Image),
        "ReduceMean_opset18_input" => (Model(18, Image, new[] { Node("ReduceMean", new[] { "x", "a" }, new[] { "y" }) }, new[] { Longs("a", -1) }), Image),
        "ReduceMax_all_axes" => (Model(13, Image, new[] { Node("ReduceMax", new[] { "x" }, new[] { "y" }) }), Image),
        "LayerNormalization_last_axis" => (Model(17, Image, new[] { Node("LayerNormalization", new[] { "x", "s", "b" }, new[] { "y" }, Float("epsilon", 1e-5f)) },
            new[] { Random("s", new long[] { 9 }, 2, 0.5f, 1f), Random("b", new long[] { 9 }, 3) }), Image),
        "LayerNormalization_two_axes_no_bias" => (Model(17, Image, new[] { Node("LayerNormalization", new[] { "x", "s" }, new[] { "y" }, Int("axis", -2)) },
            new[] { Random("s", new long[] { 9, 9 }, 4, 0.5f, 1f) }), Image),
        "Gather_scalar_index" => (Model(13, Image, new[] { Node("Gather", new[] { "x", "i" }, new[] { "y" }, Int("axis", 1)) }, new[] { Long("i", 1) }), Image),
        "Gather_negative_indices" => (Model(13, Image, new[] { Node("Gather", new[] { "x", "i" }, new[] { "y" }, Int("axis", 3)) }, new[] { Longs("i", -1, 0, 4) }), Image),
        "Slice_end_from_shape" => (Model(13, Image, new[]
        {
            Node("Shape", new[] { "x" }, new[] { "s" }), Node("Gather", new[] { "s", "three" }, new[] { "w" }),
            Node("Div", new[] { "w", "two" }, new[] { "h" }), Node("Unsqueeze", new[] { "h", "axis0" }, new[] { "e" }),
            Node("Slice", new[] { "x", "start", "e", "axes" }, new[] { "y" }),
        }, new[] { Long("three", 3), Long("two", 2), Longs("axis0", 0), Longs("start", 0), Longs("axes", 3) }), Image),
        "Slice_negative_step" => (Model(13, Image, new[] { Node("Slice", new[] { "x", "st", "en", "ax", "sp" }, new[] { "y" }) },
            new[] { Longs("st", -1, 1), Longs("en", -1000, 100), Longs("ax", 2, 1), Longs("sp", -2, 1) }), Image),
        "Slice_opset9_attributes" => (Model(9, Image, new[] { Node("Slice", new[] { "x" }, new[] { "y" }, Ints("starts", 1, -3), Ints("ends", 3, 9), Ints("axes", 1, 2)) }), Image),
        "Unsqueeze_Squeeze_opset11_attributes" => (Model(11, Image, new[]
        {
            Node("Unsqueeze", new[] { "x" }, new[] { "u" }, Ints("axes", 0, -1)), Node("Squeeze", new[] { "u" }, new[] { "y" }, Ints("axes", 0)),
        }), Image),
        "Unsqueeze_Squeeze_opset13_inputs" => (Model(13, Image, new[]
        {
            Node("Unsqueeze", new[] { "x", "a" }, new[] { "u" }), Node("Squeeze", new[] { "u", "b" }, new[] { "y" }),
        }, new[] { Longs("a", 2, 0), Longs("b", 0) }), Image),
        "Shape_start_end_ConstantOfShape" => (Model(15, Image, new[]
        {
            Node("Shape", new[] { "x" }, new[] { "s" }, Int("start", -2)),
            Node("ConstantOfShape", new[] { "s" }, new[] { "c" }, TensorValue("value", Floats("", new long[] { 1 }, new[] { 0.5f }))),
            Node("Add", new[] { "x", "c" }, new[] { "y" }),
        }), Image),
        "Expand_constant_to_input_shape" => (Model(13, Image, new[]
        {
            Node("Shape", new[] { "x" }, new[] { "s" }), Node("Expand", new[] { "c", "s" }, new[] { "e" }), Node("Mul", new[] { "x", "e" }, new[] { "y" }),
        }, new[] { Random("c", new long[] { 3, 1, 1 }, 5) }), Image),
        "Cast_truncates" => (Model(13, Image, new[]
        {
            Node("Mul", new[] { "x", "k" }, new[] { "m" }), Node("Cast", new[] { "m" }, new[] { "i" }, Int("to", 7)), Node("Cast", new[] { "i" }, new[] { "y" }, Int("to", 1)),
        }, new[] { Scalar("k", 7.5f) }), Image),
        "Integer_Div_truncates_toward_zero" => (Model(13, new long[] { 2, 4, 9, 9 }, new[]
        {
            Node("Shape", new[] { "x" }, new[] { "s" }), Node("Sub", new[] { "s", "ten" }, new[] { "d" }), Node("Div", new[] { "d", "three" }, new[] { "q" }),
            Node("Cast", new[] { "q" }, new[] { "f" }, Int("to", 1)), Node("Reshape", new[] { "f", "column" }, new[] { "f3" }), Node("Mul", new[] { "x", "f3" }, new[] { "y" }),
        }, new[] { Long("ten", 10), Long("three", 3), Longs("column", 4, 1, 1) }), new long[] { 2, 4, 9, 9 }),
        "MatMul_batched_runtime_operands" => (Model(13, Image, new[]
        {
            Node("Transpose", new[] { "x" }, new[] { "t" }, Ints("perm", 0, 1, 3, 2)), Node("MatMul", new[] { "x", "t" }, new[] { "y" }),
        }), Image),
        "MatMul_weight_bias_first_Add" => (Model(13, Image, new[]
        {
            Node("MatMul", new[] { "x", "w" }, new[] { "m" }), Node("Add", new[] { "b", "m" }, new[] { "y" }),
        }, new[] { Random("w", new long[] { 9, 5 }, 6), Random("b", new long[] { 5 }, 7) }), Image),
        "Channel_shuffle_from_shape" => (ChannelShuffle(new long[] { 2, 4, 6, 6 }), new long[] { 2, 4, 6, 6 }),
        "Identity_of_initializer_as_weight" => (Model(13, Image, new[]
        {
            Node("Identity", new[] { "w" }, new[] { "w2" }), Node("Conv", new[] { "x", "w" }, new[] { "a" }), Node("Conv", new[] { "x", "w2" }, new[] { "b" }),
            Node("Sub", new[] { "a", "b" }, new[] { "d" }), Node("Add", new[] { "d", "a" }, new[] { "y" }),
        }, new[] { Random("w", new long[] { 4, 3, 3, 3 }, 8) }), Image),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string> Cases() => new(
        "HardSwish", "HardSigmoid", "Erf", "Sqrt", "Pow_constant_exponent", "Equal_Where", "Transpose_perm", "Transpose_default_reverses",
        "Softmax_opset13_axis1", "Softmax_opset11_flattens", "LogSoftmax_opset13",
        "ReduceMean_attribute_keepdims0", "ReduceSum_opset13_input", "ReduceMean_opset18_input", "ReduceMax_all_axes",
        "LayerNormalization_last_axis", "LayerNormalization_two_axes_no_bias", "Gather_scalar_index", "Gather_negative_indices",
        "Slice_end_from_shape", "Slice_negative_step", "Slice_opset9_attributes",
        "Unsqueeze_Squeeze_opset11_attributes", "Unsqueeze_Squeeze_opset13_inputs", "Shape_start_end_ConstantOfShape",
        "Expand_constant_to_input_shape", "Cast_truncates", "Integer_Div_truncates_toward_zero",
        "MatMul_batched_runtime_operands", "MatMul_weight_bias_first_Add", "Channel_shuffle_from_shape", "Identity_of_initializer_as_weight");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_onnx_runtime(string name)
    {
        var (model, shape) = Case(name);
        var input = RandomInput(shape, seed: name.Length);
        var expected = RunOrt(model, input, shape);
        var actual = RunImported(model, input, shape);
        Assert.Equal(expected.Shape, actual.Shape);
        double diff = RelativeMaxDiff(actual.Data, expected.Data);
        Assert.True(diff <= 1e-3, $"{name}: max abs diff relative to the output scale is {diff:E3}.");
    }

    [Fact]
    public void Shapes_computed_from_the_batch_follow_the_batch_size_of_each_call()
    {
        var model = Case("Channel_shuffle_from_shape").Model;
        model.Graph.Input[0].Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
        using var graph = OnnxGraphImporter.Import(model, "test model", null, "test", wholeGraph: true);
        graph.eval();
        foreach (long batch in new long[] { 1, 2, 5 })
        {
            long[] shape = { batch, 4, 6, 6 };
            var input = RandomInput(shape, seed: (int)batch);
            var expected = RunOrt(model, input, shape);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var y = graph.forward(tensor(input, shape));
            Assert.Equal(expected.Shape, y.shape);
            Assert.True(RelativeMaxDiff(y.data<float>().ToArray(), expected.Data) <= 1e-6, $"batch {batch}");
        }
    }

    [Fact]
    public void Nodes_of_constants_only_are_folded_at_import()
    {
        // Shape arithmetic on a constant and an Identity of a weight leave no module behind.
        var model = Model(13, Image, new[]
        {
            Node("Shape", new[] { "c" }, new[] { "s" }), Node("Reshape", new[] { "c", "s" }, new[] { "c2" }),
            Node("Identity", new[] { "c2" }, new[] { "c3" }), Node("Add", new[] { "x", "c3" }, new[] { "y" }),
        }, new[] { Random("c", new long[] { 3, 1, 1 }, 9) });
        using var graph = OnnxGraphImporter.Import(model, "test model", "y", "test");
        Assert.Equal(new[] { "Add" }, graph.Nodes.Select(n => n.OpType));
        // The folded initializer is still a weight: trainable, like the bias it came from.
        Assert.Equal(3, graph.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void The_whole_graph_keeps_the_classifier_that_the_backbone_import_strips()
    {
        var model = Model(13, new long[] { 1, 3, 8, 8 }, new[]
        {
            Node("Conv", new[] { "x", "w" }, new[] { "c" }, Ints("pads", 1, 1, 1, 1)),
            Node("GlobalAveragePool", new[] { "c" }, new[] { "g" }),
            Node("Flatten", new[] { "g" }, new[] { "f" }),
            Node("Gemm", new[] { "f", "fc" }, new[] { "y" }, Int("transB", 1)),
        }, new[] { Random("w", new long[] { 4, 3, 3, 3 }, 1), Random("fc", new long[] { 10, 4 }, 2) });
        using var whole = OnnxGraphImporter.Import(model, "test model", null, "test", wholeGraph: true);
        Assert.Equal("y", whole.OutputName);
        Assert.Equal(new[] { "Conv", "GlobalAveragePool", "Flatten", "Gemm" }, whole.Nodes.Select(n => n.OpType));
        using var features = OnnxGraphImporter.Import(model, "test model", null, "test");
        Assert.Equal("c", features.OutputName);
    }
}
