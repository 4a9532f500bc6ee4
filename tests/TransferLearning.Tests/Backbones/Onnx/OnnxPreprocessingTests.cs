using Google.Protobuf;
using TransferLearning.Backbones;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Backbones.Onnx.Proto;
using static TransferLearning.Tests.Backbones.Onnx.OnnxTestModels;

namespace TransferLearning.Tests.Backbones.Onnx;

public sealed class OnnxPreprocessingTests
{
    private static string Write(ModelProto model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"onnx-prep-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    [Fact]
    public void A_per_channel_graph_becomes_the_same_image_preprocessing()
    {
        long[] shape = { 1, 3, 16, 16 };
        var model = Model(8, shape, new[]
        {
            Node("Split", new[] { "x" }, new[] { "r", "g", "b" }, Int("axis", 1), Ints("split", 1, 1, 1)),
            Node("Concat", new[] { "b", "g", "r" }, new[] { "bgr" }, Int("axis", 1)),
            Node("Sub", new[] { "bgr", "mean" }, new[] { "centered" }),
            Node("Div", new[] { "centered", "std" }, new[] { "y" }),
        }, new[] { Floats("mean", new long[] { 1, 3, 1, 1 }, new[] { 100f, 110f, 120f }), Floats("std", new long[] { 1, 3, 1, 1 }, new[] { 50f, 60f, 70f }) });
        string path = Write(model);
        try
        {
            using var prep = OnnxPreprocessing.FromOnnx(path, "test");
            Assert.Equal(ChannelOrder.Bgr, prep.ChannelOrder);
            Assert.Equal(new[] { 100f, 110f, 120f }, prep.Mean.Select(m => MathF.Round(m, 3)));
            Assert.Equal(new[] { 50f, 60f, 70f }, prep.Std.Select(s => MathF.Round(s, 3)));
            var input = RandomInput(shape, 5, 255f).Select(MathF.Abs).ToArray();
            var expected = RunOrt(model, input, shape).Data;
            using var x = TorchSharp.torch.tensor(input, shape);
            using var y = prep.forward(x);
            Assert.True(RelativeMaxDiff(y.data<float>().ToArray(), expected) <= 1e-5);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_graph_that_mixes_channels_is_refused()
    {
        var model = Model(8, new long[] { 1, 3, 4, 4 }, new[]
        {
            Node("Conv", new[] { "x", "w" }, new[] { "y" }),
        }, new[] { Random("w", new long[] { 3, 3, 1, 1 }, 1) });
        string path = Write(model);
        try
        {
            var e = Assert.Throws<OnnxImportException>(() => OnnxPreprocessing.FromOnnx(path));
            Assert.Contains("mixes input channels", e.Message);
        }
        finally { File.Delete(path); }
    }
}
