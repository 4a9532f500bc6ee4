using Google.Protobuf;
using TransferLearning.Backbones;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Backbones.Onnx.Proto;
using static TransferLearning.Tests.Backbones.Onnx.OnnxTestModels;

namespace TransferLearning.Tests.Backbones.Onnx;

/// <summary>What the importer cannot reproduce exactly is an error naming the op, the node and the attribute.</summary>
public sealed class OnnxImportErrorTests
{
    private static readonly long[] Image = { 1, 3, 8, 8 };

    private static OnnxImportException Import(ModelProto model, string? output = "y") =>
        Assert.Throws<OnnxImportException>(() => OnnxGraphImporter.Import(model, "test model", output, "test").Dispose());

    [Fact]
    public void An_unsupported_op_names_the_op_and_the_node()
    {
        var e = Import(Model(13, Image, new[] { Node("Tanh", new[] { "x" }, new[] { "y" }) }));
        Assert.Equal("Tanh", e.OpType);
        Assert.Equal("Tanh_node", e.NodeName);
        Assert.Contains("'Tanh' is not supported", e.Message);
    }

    [Fact]
    public void An_unsupported_op_of_constants_only_is_reported_too_rather_than_folded()
    {
        var model = Model(13, Image, new[] { Node("Tanh", new[] { "c" }, new[] { "t" }), Node("Add", new[] { "x", "t" }, new[] { "y" }) },
            new[] { Random("c", new long[] { 3, 1, 1 }, 1) });
        model.Graph.Node[0].Name = "tanh_of_constant";
        var e = Import(model);
        Assert.Equal(("Tanh", "tanh_of_constant"), (e.OpType, e.NodeName));
    }

    [Theory]
    [InlineData("LayerNormalization", "stash_type")]
    [InlineData("Cast", "to")]
    [InlineData("Transpose", "perm")]
    [InlineData("Softmax", "keep")]
    public void Unsupported_attributes_of_the_graph_ops_name_op_node_and_attribute(string op, string attribute)
    {
        var node = op switch
        {
            "LayerNormalization" => Node(op, new[] { "x", "s" }, new[] { "y" }, Int("stash_type", 0)),
            "Cast" => Node(op, new[] { "x" }, new[] { "y" }, Int("to", 8)),
            "Transpose" => Node(op, new[] { "x" }, new[] { "y" }, Ints("perm", 0, 1, 1, 2)),
            _ => Node(op, new[] { "x" }, new[] { "y" }, Int("keep", 1)),
        };
        var e = Import(Model(17, Image, new[] { node }, new[] { Random("s", new long[] { 8 }, 1) }));
        Assert.Equal((op, $"{op}_node", attribute), (e.OpType, e.NodeName, e.AttributeName));
        Assert.Contains(op, e.Message);
        Assert.Contains($"{op}_node", e.Message);
        Assert.Contains(attribute, e.Message);
    }

    [Fact]
    public void An_unsupported_attribute_value_names_the_attribute()
    {
        var e = Import(Model(8, Image, new[] { Node("BatchNormalization", new[] { "x", "s", "b", "m", "v" }, new[] { "y" }, Int("spatial", 0)) },
            new[] { Random("s", new long[] { 3 }, 1), Random("b", new long[] { 3 }, 2), Random("m", new long[] { 3 }, 3), Random("v", new long[] { 3 }, 4, 0.1f, 1f) }));
        Assert.Equal(("BatchNormalization", "BatchNormalization_node", "spatial"), (e.OpType, e.NodeName, e.AttributeName));

        e = Import(Model(13, Image, new[] { Node("MaxPool", new[] { "x" }, new[] { "y" }, Ints("kernel_shape", 2, 2), Str("auto_pad", "SAME_MIDDLE")) }));
        Assert.Equal(("MaxPool", "auto_pad"), (e.OpType, e.AttributeName));
        Assert.Contains("SAME_MIDDLE", e.Message);

        e = Import(Model(13, Image, new[] { Node("Pad", new[] { "x", "p" }, new[] { "y" }, Str("mode", "wrap")) }, new[] { Longs("p", 0, 0, 1, 1, 0, 0, 1, 1) }));
        Assert.Equal(("Pad", "mode"), (e.OpType, e.AttributeName));
    }

    [Fact]
    public void An_attribute_the_importer_does_not_know_is_refused_rather_than_ignored()
    {
        var e = Import(Model(13, Image, new[] { Node("Relu", new[] { "x" }, new[] { "y" }, Float("slope", 0.1f)) }));
        Assert.Equal(("Relu", "Relu_node", "slope"), (e.OpType, e.NodeName, e.AttributeName));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(23)]
    public void An_unsupported_opset_is_refused(int opset)
    {
        var e = Import(Model(opset, Image, new[] { Node("Relu", new[] { "x" }, new[] { "y" }) }));
        Assert.Contains($"opset {opset}", e.Message);
        Assert.Equal("opset_import", e.AttributeName);
    }

    [Fact]
    public void A_runtime_weight_is_refused()
    {
        var model = Model(13, Image, new[] { Node("Relu", new[] { "x" }, new[] { "w" }), Node("Conv", new[] { "x", "w" }, new[] { "y" }) });
        var e = Import(model);
        Assert.Equal(("Conv", "W"), (e.OpType, e.AttributeName));
    }

    [Fact]
    public void External_data_is_refused_clearly()
    {
        var w = Random("w", new long[] { 2, 3, 1, 1 }, 1);
        w.FloatData.Clear();
        w.DataLocation = TensorProto.Types.DataLocation.External;
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        var e = Import(Model(13, Image, new[] { Node("Conv", new[] { "x", "w" }, new[] { "y" }) }, new[] { w }));
        Assert.Contains("weights.bin", e.Message);
        Assert.Contains("external", e.Message);
    }

    [Fact]
    public void Nodes_after_the_chosen_output_may_use_unsupported_ops()
    {
        var model = Model(13, Image, new[] { Node("Relu", new[] { "x" }, new[] { "r" }), Node("Tanh", new[] { "r" }, new[] { "y" }) });
        using var graph = OnnxGraphImporter.Import(model, "test model", "r", "test");
        Assert.Equal("r", graph.OutputName);
        Assert.Throws<OnnxImportException>(() => OnnxGraphImporter.Import(model, "test model", "y", "test"));
    }

    [Fact]
    public void The_default_output_strips_the_classifier_tail()
    {
        var model = Model(13, new long[] { 1, 3, 8, 8 }, new[]
        {
            Node("Conv", new[] { "x", "w" }, new[] { "c" }, Ints("pads", 1, 1, 1, 1)),
            Node("Relu", new[] { "c" }, new[] { "r" }),
            Node("GlobalAveragePool", new[] { "r" }, new[] { "g" }),
            Node("Flatten", new[] { "g" }, new[] { "f" }),
            Node("Gemm", new[] { "f", "fc" }, new[] { "logits" }, Int("transB", 1)),
            Node("Softmax", new[] { "logits" }, new[] { "y" }),
        }, new[] { Random("w", new long[] { 4, 3, 3, 3 }, 1), Random("fc", new long[] { 10, 4 }, 2) });
        using var graph = OnnxGraphImporter.Import(model, "test model", null, "test");
        var groups = OnnxLayerGroups.Split(graph.Nodes, graph.InputName, graph.OutputName, OnnxLayerGrouping.Auto);
        Assert.Equal("r", graph.OutputName);
        Assert.Equal(new[] { "Conv", "Relu" }, graph.Nodes.Select(n => n.OpType));
        Assert.Single(groups);
    }

    [Fact]
    public void A_feature_output_that_is_not_a_map_is_refused_by_load()
    {
        var model = Model(13, new long[] { 1, 3, 8, 8 }, new[]
        {
            Node("Conv", new[] { "x", "w" }, new[] { "c" }),
            Node("Flatten", new[] { "c" }, new[] { "y" }),
        }, new[] { Random("w", new long[] { 4, 3, 3, 3 }, 1) });
        string path = Path.Combine(Path.GetTempPath(), $"onnx-flat-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        try
        {
            var e = Assert.Throws<OnnxImportException>(() => OnnxBackbone.Load(path, new OnnxImportOptions { OutputName = "y" }));
            Assert.Contains("OutputName", e.Message);
            using var backbone = OnnxBackbone.Load(path);
            Assert.Equal(4, backbone.OutputChannels);
            Assert.Equal("onnx-flat-" + Path.GetFileNameWithoutExtension(path)[10..], backbone.Name);
        }
        finally { File.Delete(path); }
    }
}
