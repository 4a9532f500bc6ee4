using TransferLearning.Backbones.Onnx;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;
using static TransferLearning.Tests.Backbones.Onnx.OnnxTestModels;

namespace TransferLearning.Tests.Backbones.Onnx;

[Collection(TensorLifetimeCollection.Name)]
public sealed class OnnxTensorLifetimeTests
{
    [Fact]
    public void Forward_passes_leave_no_tensors_behind()
    {
        var model = Model(13, new long[] { 1, 3, 10, 10 }, new[]
        {
            Node("Conv", new[] { "x", "w", "b" }, new[] { "c" }, Ints("pads", 1, 0, 0, 1)),
            Node("MaxPool", new[] { "c" }, new[] { "m" }, Ints("kernel_shape", 2, 2), Ints("pads", 1, 1, 0, 0), Int("ceil_mode", 1)),
            Node("AveragePool", new[] { "m" }, new[] { "a" }, Ints("kernel_shape", 2, 2), Ints("pads", 0, 1, 1, 0)),
            Node("Split", new[] { "a", "s" }, new[] { "p", "q" }, Int("axis", 1)),
            Node("Add", new[] { "p", "q" }, new[] { "y" }),
        }, new[] { Random("w", new long[] { 4, 3, 3, 3 }, 1), Random("b", new long[] { 4 }, 2), Longs("s", 2, 2) });
        using var graph = OnnxGraphImporter.Import(model, "test model", "y", "test");
        using (var warmup = graph.forward(rand(2, 3, 10, 10))) { }
        long before = Tensor.TotalCount;
        using (var input = rand(2, 3, 10, 10))
        {
            for (int i = 0; i < 3; i++)
            {
                using var y = graph.forward(input);
                using var loss = y.sum();
                loss.backward();
            }
        }
        foreach (var p in graph.parameters()) p.grad?.Dispose();
        Assert.Equal(before, Tensor.TotalCount);
    }
}
