using Google.Protobuf;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Backbones.Onnx.Proto;
using TransferLearning.Training;
using static TorchSharp.torch;
using static TransferLearning.Tests.Backbones.Onnx.OnnxTestModels;

namespace TransferLearning.Tests.Export;

/// <summary>
/// Every op the importer reads is written back for opsets 13 and 17 whatever the source opset: attributes that became
/// inputs (Pad, Clip, Split, Dropout before 11/12/13), a Reshape to the declared batch of 1 kept dynamic, Gemm and
/// constants of element-wise ops with their current values.
/// </summary>
public sealed class ImportedOpsExportTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tl-export-ops-" + Guid.NewGuid().ToString("N"));

    public ImportedOpsExportTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A 1×3×16×16 → 1×5×1×1 graph using every supported op family, written for <paramref name="opset"/>.</summary>
    private static ModelProto Graph(int opset)
    {
        bool inputs11 = opset >= 11, inputs13 = opset >= 13;
        var nodes = new List<NodeProto>();
        var init = new List<TensorProto>
        {
            Random("w", new long[] { 4, 3, 3, 3 }, seed: 1, scale: 0.01f), Random("bias", new long[] { 4 }, seed: 2, scale: 0.1f),
            Random("scale", new long[] { 1, 3, 1, 1 }, seed: 3, offset: 1f),
            Random("gw", new long[] { 5, 6 * 5 * 5 }, seed: 5, scale: 0.1f), Random("gb", new long[] { 5 }, seed: 6),
            Random("mean", new long[] { 1, 6, 1, 1 }, seed: 7),
            Longs("flat_shape", 1, -1), Longs("out_shape", 1, 5, 1, 1),
        };
        if (inputs11)
        {
            init.Add(Longs("pads", 0, 0, 1, 1, 0, 0, 1, 1));
            init.Add(Floats("pad_value", Array.Empty<long>(), new[] { 0.5f }));
            init.Add(Floats("lo", Array.Empty<long>(), new[] { -1f }));
            init.Add(Floats("hi", Array.Empty<long>(), new[] { 2f }));
            nodes.Add(Node("Pad", new[] { "x", "pads", "pad_value" }, new[] { "padded" }, Str("mode", "constant")));
        }
        else nodes.Add(Node("Pad", new[] { "x" }, new[] { "padded" }, Ints("pads", 0, 0, 1, 1, 0, 0, 1, 1), Float("value", 0.5f)));
        nodes.Add(Node("Conv", new[] { "padded", "w", "bias" }, new[] { "conv" }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 0, 0)));
        nodes.Add(inputs11
            ? Node("Clip", new[] { "conv", "lo", "hi" }, new[] { "clipped" })
            : Node("Clip", new[] { "conv" }, new[] { "clipped" }, Float("min", -1f), Float("max", 2f)));
        nodes.Add(Node("LeakyRelu", new[] { "clipped" }, new[] { "leaky" }, Float("alpha", 0.2f)));
        if (inputs13)
        {
            init.Add(Longs("split", 1, 3));
            nodes.Add(Node("Split", new[] { "leaky", "split" }, new[] { "a", "b" }, Int("axis", 1)));
        }
        else nodes.Add(Node("Split", new[] { "leaky" }, new[] { "a", "b" }, Int("axis", 1), Ints("split", 1, 3)));
        nodes.Add(Node("Mul", new[] { "b", "scale" }, new[] { "scaled" }));
        nodes.Add(Node("Concat", new[] { "a", "scaled", "a", "a" }, new[] { "joined" }, Int("axis", 1)));
        nodes.Add(Node("Sub", new[] { "joined", "mean" }, new[] { "centred" }));
        nodes.Add(Node("Sigmoid", new[] { "centred" }, new[] { "sig" }));
        nodes.Add(Node("AveragePool", new[] { "sig" }, new[] { "pooled" }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1), Int("count_include_pad", 0)));
        nodes.Add(Node("MaxPool", new[] { "pooled" }, new[] { "maxed" }, Ints("kernel_shape", 2, 2), Ints("strides", 1, 1), Ints("pads", 0, 0, 1, 1)));
        nodes.Add(Node("Reshape", new[] { "maxed", "flat_shape" }, new[] { "flat" }));
        nodes.Add(Node("Gemm", new[] { "flat", "gw", "gb" }, new[] { "dense" }, Int("transB", 1), Float("alpha", 0.5f)));
        nodes.Add(opset >= 12 ? Node("Dropout", new[] { "dense" }, new[] { "dropped" }) : Node("Dropout", new[] { "dense" }, new[] { "dropped" }, Float("ratio", 0.3f)));
        nodes.Add(Node("Relu", new[] { "dropped" }, new[] { "relu" }));
        nodes.Add(Node("Reshape", new[] { "relu", "out_shape" }, new[] { "y" }));
        return Model(opset, new long[] { 1, 3, 16, 16 }, nodes, init);
    }

    [Theory]
    [InlineData(10, 17)]
    [InlineData(10, 13)]
    [InlineData(13, 13)]
    [InlineData(17, 17)]
    public void A_graph_of_every_supported_op_family_exports_with_a_dynamic_batch(int sourceOpset, int targetOpset)
    {
        string source = Path.Combine(_directory, "source.onnx");
        File.WriteAllBytes(source, Graph(sourceOpset).ToByteArray());
        using var backbone = OnnxBackbone.Load(source, new OnnxImportOptions { OutputName = "y" });
        using var trainer = new TransferTrainer(backbone, new[] { "a", "b" }, new TransferTrainerOptions { InputSize = (16, 16) });
        string exported = Path.Combine(_directory, "exported.onnx");
        trainer.ExportOnnx(exported, new TransferLearning.Export.OnnxExportOptions { Opset = targetOpset });
        foreach (int batch in new[] { 1, 3 })
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator((ulong)batch);
            var images = rand(new long[] { batch, 3, 16, 16 }, generator: generator).mul_(255f);
            OrtRunner.AssertMatches(OrtRunner.Run(exported, images), trainer.Predict(images), 2);
        }
    }
}
