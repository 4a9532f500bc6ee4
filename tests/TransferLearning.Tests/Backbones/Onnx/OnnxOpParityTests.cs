using TransferLearning.Backbones.Onnx.Proto;
using static TransferLearning.Tests.Backbones.Onnx.OnnxTestModels;

namespace TransferLearning.Tests.Backbones.Onnx;

/// <summary>One small graph per supported op and attribute combination; the importer must match ONNX Runtime.</summary>
public sealed class OnnxOpParityTests
{
    private static readonly long[] Image = { 2, 3, 9, 9 };

    private static (ModelProto Model, long[] Shape) Case(string name) => name switch
    {
        "Conv_pads_bias" => (Model(13, Image, new[] { Node("Conv", new[] { "x", "w", "b" }, new[] { "y" }, Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1)) },
            new[] { Random("w", new long[] { 4, 3, 3, 3 }, 1), Random("b", new long[] { 4 }, 2) }), Image),
        "Conv_asymmetric_pads_stride_raw_data" => (Model(8, new long[] { 1, 3, 16, 16 }, new[] { Node("Conv", new[] { "x", "w" }, new[] { "y" }, Ints("kernel_shape", 7, 7), Ints("strides", 2, 2), Ints("pads", 3, 3, 2, 2), Str("auto_pad", "NOTSET"), Int("group", 1), Ints("dilations", 1, 1)) },
            new[] { Random("w", new long[] { 5, 3, 7, 7 }, 3, raw: true) }), new long[] { 1, 3, 16, 16 }),
        "Conv_groups_dilations" => (Model(13, new long[] { 1, 4, 11, 11 }, new[] { Node("Conv", new[] { "x", "w", "b" }, new[] { "y" }, Int("group", 2), Ints("dilations", 2, 2), Ints("pads", 2, 2, 2, 2)) },
            new[] { Random("w", new long[] { 6, 2, 3, 3 }, 4), Random("b", new long[] { 6 }, 5) }), new long[] { 1, 4, 11, 11 }),
        "Conv_depthwise_same_upper" => (Model(13, Image, new[] { Node("Conv", new[] { "x", "w" }, new[] { "y" }, Int("group", 3), Ints("strides", 2, 2), Str("auto_pad", "SAME_UPPER")) },
            new[] { Random("w", new long[] { 3, 1, 4, 4 }, 6) }), Image),
        "BatchNormalization" => (Model(8, Image, new[] { Node("BatchNormalization", new[] { "x", "s", "b", "m", "v" }, new[] { "y" }, Float("epsilon", 1e-3f), Float("momentum", 0.9f), Int("spatial", 1)) },
            new[] { Random("s", new long[] { 3 }, 7), Random("b", new long[] { 3 }, 8), Random("m", new long[] { 3 }, 9), Random("v", new long[] { 3 }, 10, 0.5f, 1f) }), Image),
        "Relu" => (Model(13, Image, new[] { Node("Relu", new[] { "x" }, new[] { "y" }) }), Image),
        "LeakyRelu" => (Model(13, Image, new[] { Node("LeakyRelu", new[] { "x" }, new[] { "y" }, Float("alpha", 0.2f)) }), Image),
        "Sigmoid" => (Model(13, Image, new[] { Node("Sigmoid", new[] { "x" }, new[] { "y" }) }), Image),
        "Clip_opset8_attributes" => (Model(8, Image, new[] { Node("Clip", new[] { "x" }, new[] { "y" }, Float("min", -0.5f), Float("max", 0.25f)) }), Image),
        "Clip_opset13_inputs" => (Model(13, Image, new[] { Node("Clip", new[] { "x", "lo", "hi" }, new[] { "y" }) },
            new[] { Floats("lo", Array.Empty<long>(), new[] { -0.25f }), Floats("hi", Array.Empty<long>(), new[] { 0.5f }) }), Image),
        "Clip_opset13_max_only" => (Model(13, Image, new[] { Node("Clip", new[] { "x", "", "hi" }, new[] { "y" }) },
            new[] { Floats("hi", Array.Empty<long>(), new[] { 0.5f }) }), Image),
        "MaxPool_asymmetric_pads" => (Model(8, new long[] { 1, 3, 12, 12 }, new[] { Node("MaxPool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 0, 0), Str("auto_pad", "NOTSET"), Int("storage_order", 0)) }), new long[] { 1, 3, 12, 12 }),
        "MaxPool_ceil_mode" => (Model(10, new long[] { 1, 3, 8, 8 }, new[] { Node("MaxPool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Int("ceil_mode", 1)) }), new long[] { 1, 3, 8, 8 }),
        "MaxPool_ceil_mode_pads" => (Model(10, new long[] { 1, 3, 10, 10 }, new[] { Node("MaxPool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Ints("pads", 1, 0, 1, 1), Int("ceil_mode", 1)) }), new long[] { 1, 3, 10, 10 }),
        "MaxPool_dilations" => (Model(10, Image, new[] { Node("MaxPool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 2, 2), Ints("dilations", 2, 2), Ints("pads", 1, 1, 1, 1)) }), Image),
        "AveragePool_plain" => (Model(8, Image, new[] { Node("AveragePool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 3, 3), Ints("strides", 3, 3)) }), Image),
        "AveragePool_pads_exclude" => (Model(8, Image, new[] { Node("AveragePool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1)) }), Image),
        "AveragePool_pads_include" => (Model(8, Image, new[] { Node("AveragePool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1), Int("count_include_pad", 1)) }), Image),
        "AveragePool_asymmetric_exclude" => (Model(8, Image, new[] { Node("AveragePool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 2, 0, 1, 2)) }), Image),
        "AveragePool_asymmetric_include" => (Model(8, Image, new[] { Node("AveragePool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 2, 0, 1, 2), Int("count_include_pad", 1)) }), Image),
        "AveragePool_ceil_exclude" => (Model(10, new long[] { 1, 3, 8, 8 }, new[] { Node("AveragePool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Int("ceil_mode", 1)) }), new long[] { 1, 3, 8, 8 }),
        "AveragePool_ceil_include_pads" => (Model(10, new long[] { 1, 3, 8, 8 }, new[] { Node("AveragePool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1), Int("ceil_mode", 1), Int("count_include_pad", 1)) }), new long[] { 1, 3, 8, 8 }),
        "AveragePool_same_lower" => (Model(8, Image, new[] { Node("AveragePool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Str("auto_pad", "SAME_LOWER")) }), Image),
        "GlobalAveragePool" => (Model(8, Image, new[] { Node("GlobalAveragePool", new[] { "x" }, new[] { "y" }) }), Image),
        "Add_broadcast_constant" => (Model(8, Image, new[] { Node("Add", new[] { "x", "c" }, new[] { "y" }) }, new[] { Random("c", new long[] { 1, 3, 1, 1 }, 11) }), Image),
        "Sub_constant_first" => (Model(8, Image, new[] { Node("Sub", new[] { "c", "x" }, new[] { "y" }) }, new[] { Random("c", new long[] { 3, 9, 9 }, 12) }), Image),
        "Mul_scalar_constant" => (Model(13, Image, new[] { Node("Mul", new[] { "x", "c" }, new[] { "y" }) }, new[] { Floats("c", Array.Empty<long>(), new[] { 2.5f }) }), Image),
        "Div_constant" => (Model(13, Image, new[] { Node("Div", new[] { "x", "c" }, new[] { "y" }) }, new[] { Random("c", new long[] { 9 }, 13, 0.5f, 1.5f) }), Image),
        "Add_two_runtime_values" => (Model(13, Image, new[] { Node("Relu", new[] { "x" }, new[] { "r" }), Node("Add", new[] { "x", "r" }, new[] { "y" }) }), Image),
        "Concat_runtime_and_constant" => (Model(13, Image, new[] { Node("Sigmoid", new[] { "x" }, new[] { "s" }), Node("Concat", new[] { "s", "x", "c" }, new[] { "y" }, Int("axis", 1)) },
            new[] { Random("c", new long[] { 2, 1, 9, 9 }, 14) }), Image),
        "Split_opset8_attribute_to_BGR" => (Model(8, Image, new[] { Node("Split", new[] { "x" }, new[] { "r", "g", "b" }, Int("axis", 1), Ints("split", 1, 1, 1)), Node("Concat", new[] { "b", "g", "r" }, new[] { "y" }, Int("axis", 1)) }), Image),
        "Split_opset13_input" => (Model(13, Image, new[] { Node("Split", new[] { "x", "s" }, new[] { "a", "b" }, Int("axis", -1)), Node("Mul", new[] { "a", "a" }, new[] { "y" }) },
            new[] { Longs("s", 4, 5) }), Image),
        "Split_equal" => (Model(13, new long[] { 2, 4, 6, 6 }, new[] { Node("Split", new[] { "x" }, new[] { "a", "b" }, Int("axis", 1)), Node("Sub", new[] { "a", "b" }, new[] { "y" }) }), new long[] { 2, 4, 6, 6 }),
        "Flatten_Gemm_transB" => (Model(13, Image, new[] { Node("Flatten", new[] { "x" }, new[] { "f" }, Int("axis", 1)), Node("Gemm", new[] { "f", "w", "b" }, new[] { "y" }, Int("transB", 1), Float("alpha", 0.5f), Float("beta", 2f)) },
            new[] { Random("w", new long[] { 5, 243 }, 15), Random("b", new long[] { 5 }, 16) }), Image),
        "Gemm_no_transpose" => (Model(8, new long[] { 4, 6 }, new[] { Node("Gemm", new[] { "x", "w", "b" }, new[] { "y" }) },
            new[] { Random("w", new long[] { 6, 3 }, 17), Random("b", new long[] { 1, 3 }, 18) }), new long[] { 4, 6 }),
        "Reshape_MatMul" => (Model(13, Image, new[] { Node("Reshape", new[] { "x", "shape" }, new[] { "f" }), Node("MatMul", new[] { "f", "w" }, new[] { "y" }) },
            new[] { Longs("shape", 0, -1), Random("w", new long[] { 243, 7 }, 19) }), Image),
        "Flatten_axis2" => (Model(13, Image, new[] { Node("Flatten", new[] { "x" }, new[] { "y" }, Int("axis", 2)) }), Image),
        "Pad_opset8_constant" => (Model(8, Image, new[] { Node("Pad", new[] { "x" }, new[] { "y" }, Ints("pads", 0, 0, 1, 2, 0, 0, 3, 0), Float("value", 1.5f)) }), Image),
        "Pad_opset13_reflect" => (Model(13, Image, new[] { Node("Pad", new[] { "x", "p" }, new[] { "y" }, Str("mode", "reflect")) }, new[] { Longs("p", 0, 0, 2, 1, 0, 0, 1, 2) }), Image),
        "Pad_opset13_edge" => (Model(13, Image, new[] { Node("Pad", new[] { "x", "p" }, new[] { "y" }, Str("mode", "edge")) }, new[] { Longs("p", 0, 0, 1, 0, 0, 0, 2, 3) }), Image),
        "Pad_opset13_constant_value" => (Model(13, Image, new[] { Node("Pad", new[] { "x", "p", "v" }, new[] { "y" }) }, new[] { Longs("p", 0, 1, 1, 0, 0, 0, 0, 1), Floats("v", Array.Empty<long>(), new[] { -2f }) }), Image),
        "Dropout_opset8" => (Model(8, Image, new[] { Node("Dropout", new[] { "x" }, new[] { "y" }, Float("ratio", 0.3f)) }), Image),
        "Dropout_opset13" => (Model(13, Image, new[] { Node("Dropout", new[] { "x" }, new[] { "y" }) }), Image),
        "Identity" => (Model(13, Image, new[] { Node("Relu", new[] { "x" }, new[] { "r" }), Node("Identity", new[] { "r" }, new[] { "y" }) }), Image),
        "Constant_node" => (Model(13, Image, new[] { Node("Constant", Array.Empty<string>(), new[] { "c" }, new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = Random("", new long[] { 1, 3, 1, 1 }, 20) }), Node("Mul", new[] { "x", "c" }, new[] { "y" }) }), Image),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string> Cases() => new(
        "Conv_pads_bias", "Conv_asymmetric_pads_stride_raw_data", "Conv_groups_dilations", "Conv_depthwise_same_upper", "BatchNormalization",
        "Relu", "LeakyRelu", "Sigmoid", "Clip_opset8_attributes", "Clip_opset13_inputs", "Clip_opset13_max_only",
        "MaxPool_asymmetric_pads", "MaxPool_ceil_mode", "MaxPool_ceil_mode_pads", "MaxPool_dilations",
        "AveragePool_plain", "AveragePool_pads_exclude", "AveragePool_pads_include", "AveragePool_asymmetric_exclude", "AveragePool_asymmetric_include",
        "AveragePool_ceil_exclude", "AveragePool_ceil_include_pads", "AveragePool_same_lower", "GlobalAveragePool",
        "Add_broadcast_constant", "Sub_constant_first", "Mul_scalar_constant", "Div_constant", "Add_two_runtime_values",
        "Concat_runtime_and_constant", "Split_opset8_attribute_to_BGR", "Split_opset13_input", "Split_equal",
        "Flatten_Gemm_transB", "Gemm_no_transpose", "Reshape_MatMul", "Flatten_axis2",
        "Pad_opset8_constant", "Pad_opset13_reflect", "Pad_opset13_edge", "Pad_opset13_constant_value",
        "Dropout_opset8", "Dropout_opset13", "Identity", "Constant_node");

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
}
