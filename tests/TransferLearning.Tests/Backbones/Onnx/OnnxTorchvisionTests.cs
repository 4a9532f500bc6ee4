using System.Text.Json;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones.Onnx;

/// <summary>
/// Graphs written by PyTorch's own exporter (shared/fixtures/onnx-torchvision: torchvision models, opset 17, dynamic
/// batch) imported whole: the logits PyTorch computed, a batch of one, backward, and the parameter count.
/// </summary>
public sealed class OnnxTorchvisionTests
{
    private readonly ITestOutputHelper _output;

    public OnnxTorchvisionTests(ITestOutputHelper output) => _output = output;

    private const string Folder = "onnx-torchvision";

    /// <summary>
    /// Channels of the BatchNorm2d layers the exporter folded into the preceding convolutions (counted in torchvision
    /// 0.14): each one's 2·C parameters (scale and shift) become C values of the convolution's bias, so the graph holds
    /// C fewer parameters than the PyTorch model per folded layer. ConvNeXt and ViT have no batch norm.
    /// </summary>
    private static readonly Dictionary<string, long> FoldedBatchNormChannels = new()
    {
        ["mobilenet_v3_small"] = 6056,
        ["efficientnet_b0"] = 21008,
        ["shufflenet_v2_x0_5"] = 3976,
        ["convnext_tiny_variant"] = 0,
        ["vit_tiny_variant"] = 0,
    };

    public static TheoryData<string> Models() => new("mobilenet_v3_small", "efficientnet_b0", "shufflenet_v2_x0_5", "convnext_tiny_variant", "vit_tiny_variant");

    private static JsonElement Case(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path(Folder, "cases.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).Clone();
    }

    private static string File_(JsonElement c, string key) => SharedFixtures.Path(Folder, c.GetProperty(key).GetString()!);

    /// <summary>max |actual − expected| / max |expected|.</summary>
    private static double RelativeDiff(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        return (actual - expected).abs().max().item<float>() / (double)expected.abs().max().item<float>();
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_whole_graph_reproduces_pytorchs_logits_for_a_batch_of_two_and_of_one(string name)
    {
        var c = Case(name);
        using var model = OnnxBackbone.LoadGraph(File_(c, "onnx"));
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = Npy.ReadTensor(File_(c, "input"));
        var expected = Npy.ReadTensor(File_(c, "logits"));
        double diff = RelativeDiff(model.forward(input), expected);
        double diffOne = RelativeDiff(model.forward(input[..1]), expected[..1]);
        _output.WriteLine($"{name}: max relative difference {diff:E2} (batch 2), {diffOne:E2} (batch 1)");
        Assert.True(diff <= 1e-3, $"{name}: max |diff| / max |expected| = {diff:E3} for the batch of two.");
        Assert.True(diffOne <= 1e-3, $"{name}: max |diff| / max |expected| = {diffOne:E3} for a batch of one.");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Backward_reaches_every_parameter_and_the_count_matches_the_exported_model(string name)
    {
        var c = Case(name);
        using var model = OnnxBackbone.LoadGraph(File_(c, "onnx"));
        long count = model.parameters().Sum(p => p.numel());
        Assert.Equal(c.GetProperty("params").GetInt64() - FoldedBatchNormChannels[name], count);

        model.train();
        using var scope = NewDisposeScope();
        var input = Npy.ReadTensor(File_(c, "input"));
        var loss = model.forward(input).pow(2).mean();
        loss.backward();
        var missing = model.named_parameters().Where(p => p.parameter.grad is null).Select(p => p.name).ToArray();
        Assert.True(missing.Length == 0, $"{name}: no gradient for [{string.Join(", ", missing.Take(5))}] ({missing.Length} parameters).");
    }
}
