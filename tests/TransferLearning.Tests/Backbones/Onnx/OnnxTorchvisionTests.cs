using System.Text.Json;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones.Onnx;

/// <summary>
/// Graphs written by PyTorch's own exporter imported whole: the logits PyTorch computed, a batch of one, backward, and
/// the parameter count. Fixtures: shared/fixtures/onnx-torchvision (torchvision models, opset 17, dynamic batch) and,
/// beside this file, Fixtures/onnx-torchvision-opset13 (the same script at opset 13, where LayerNormalization is
/// decomposed into ReduceMean, Sub, Pow, Sqrt and Div) and Fixtures/onnx-vit-head (make_vit_with_head.py: the ViT
/// variant with a random head, since torchvision's zero-initialised head makes the shared ViT's logits all 0).
/// </summary>
public sealed class OnnxTorchvisionTests
{
    private readonly ITestOutputHelper _output;

    public OnnxTorchvisionTests(ITestOutputHelper output) => _output = output;

    private static string Folder(string set) => set switch
    {
        "shared" => SharedFixtures.Path("onnx-torchvision"),
        _ => RepositoryPaths.Path("tests", "TransferLearning.Tests", "Backbones", "Onnx", "Fixtures", set),
    };

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
    };

    public static TheoryData<string, string> Models() => new()
    {
        { "shared", "mobilenet_v3_small" },
        { "shared", "efficientnet_b0" },
        { "shared", "shufflenet_v2_x0_5" },
        { "shared", "convnext_tiny_variant" },
        { "shared", "vit_tiny_variant" },
        { "onnx-torchvision-opset13", "convnext_tiny_variant" },
        { "onnx-vit-head", "vit_tiny_head_opset13" },
        { "onnx-vit-head", "vit_tiny_head_opset17" },
    };

    private static JsonElement Case(string set, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(set), "cases.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).Clone();
    }

    private static string File_(string set, JsonElement c, string key) => Path.Combine(Folder(set), c.GetProperty(key).GetString()!);

    /// <summary>
    /// max |actual − expected| / max |expected|; the absolute difference when the expected output is all 0 (the
    /// shared ViT's zero-initialised head; onnx-vit-head checks a real one).
    /// </summary>
    private static double RelativeDiff(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<float>();
        return (actual - expected).abs().max().item<float>() / (scale > 0 ? scale : 1.0);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_whole_graph_reproduces_pytorchs_logits_for_a_batch_of_two_and_of_one(string set, string name)
    {
        var c = Case(set, name);
        using var model = OnnxBackbone.LoadGraph(File_(set, c, "onnx"));
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = Npy.ReadTensor(File_(set, c, "input"));
        var expected = Npy.ReadTensor(File_(set, c, "logits"));
        double diff = RelativeDiff(model.forward(input), expected);
        double diffOne = RelativeDiff(model.forward(input[..1]), expected[..1]);
        _output.WriteLine($"{set}/{name}: max relative difference {diff:E2} (batch 2), {diffOne:E2} (batch 1)");
        Assert.True(diff <= 1e-3, $"{name}: max |diff| / max |expected| = {diff:E3} for the batch of two.");
        Assert.True(diffOne <= 1e-3, $"{name}: max |diff| / max |expected| = {diffOne:E3} for a batch of one.");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Backward_reaches_every_parameter_and_the_count_matches_the_exported_model(string set, string name)
    {
        var c = Case(set, name);
        using var model = OnnxBackbone.LoadGraph(File_(set, c, "onnx"));
        long count = model.parameters().Sum(p => p.numel());
        Assert.Equal(c.GetProperty("params").GetInt64() - FoldedBatchNormChannels.GetValueOrDefault(name), count);

        model.train();
        using var scope = NewDisposeScope();
        var input = Npy.ReadTensor(File_(set, c, "input"));
        var loss = model.forward(input).pow(2).mean();
        loss.backward();
        var missing = model.named_parameters().Where(p => p.parameter.grad is null).Select(p => p.name).ToArray();
        Assert.True(missing.Length == 0, $"{name}: no gradient for [{string.Join(", ", missing.Take(5))}] ({missing.Length} parameters).");
    }

    [Theory]
    [InlineData("mobilenet_v3_small", 576, 3)]
    [InlineData("efficientnet_b0", 1280, 3)]
    [InlineData("shufflenet_v2_x0_5", 1024, 3)]
    [InlineData("convnext_tiny_variant", 128, 6)] // three stages: stride 16
    public void The_cnns_load_as_backbones_cut_before_the_heads_global_pooling(string name, int channels, int size)
    {
        var c = Case("shared", name);
        using var backbone = OnnxBackbone.Load(File_("shared", c, "onnx"));
        Assert.Equal(channels, backbone.OutputChannels);
        backbone.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var map = backbone.ExtractFeatureMap(Npy.ReadTensor(File_("shared", c, "input")));
        Assert.Equal(new long[] { 2, channels, size, size }, map.shape);
        // Another batch and image size: the shape arithmetic (ShuffleNet's channel shuffle) follows both.
        var other = backbone.ExtractFeatureMap(rand(3, 3, 128, 128) * 255);
        Assert.Equal(new long[] { 3, channels, size * 128 / 96, size * 128 / 96 }, other.shape);
    }

    [Theory]
    [InlineData("mobilenet_v3_small", "features.0,features.1,features.2,features.3,features.4,features.5,features.6,features.7,features.8,features.9,features.10,features.11,features.12")]
    [InlineData("efficientnet_b0", "features.0,features.1,features.2,features.3,features.4,features.5,features.6,features.7,features.8")]
    [InlineData("shufflenet_v2_x0_5", "conv1,stage2,stage3,stage4,conv5")]
    [InlineData("convnext_tiny_variant", "features.0,features.1,features.2,features.3,features.4,features.5")]
    public void Layer_groups_of_exported_graphs_are_the_networks_modules_and_hold_every_parameter_once(string name, string groups)
    {
        var c = Case("shared", name);
        using var backbone = OnnxBackbone.Load(File_("shared", c, "onnx"));
        Assert.Equal(groups.Split(','), backbone.LayerGroups.Select(g => g.Name));
        var grouped = backbone.LayerGroups.SelectMany(g => g.Parameters()).ToArray();
        Assert.Equal(backbone.Features.parameters().Count(), grouped.Length);
        Assert.Equal(grouped.Length, grouped.Select(p => p.Handle).Distinct().Count());

        // The residual-block rule is still there by name, and splits differently.
        using var byBlock = OnnxBackbone.Load(File_("shared", c, "onnx"), new OnnxImportOptions { LayerGrouping = OnnxLayerGrouping.ResidualBlock });
        Assert.NotEqual(backbone.LayerGroups.Select(g => g.Name), byBlock.LayerGroups.Select(g => g.Name));
        Assert.Equal(grouped.Length, byBlock.LayerGroups.SelectMany(g => g.Parameters()).Count());
    }

    [Fact]
    public void The_vit_is_refused_as_a_backbone_with_a_pointer_to_the_output_option()
    {
        var c = Case("shared", "vit_tiny_variant");
        var e = Assert.Throws<OnnxImportException>(() => OnnxBackbone.Load(File_("shared", c, "onnx")).Dispose());
        Assert.Contains("OutputName", e.Message);
    }

    [Fact]
    public void The_whole_graph_options_pick_another_output_and_name_the_module()
    {
        var c = Case("shared", "convnext_tiny_variant");
        using var model = OnnxBackbone.LoadGraph(File_("shared", c, "onnx"), new OnnxGraphImportOptions { Name = "convnext", OutputName = "/classifier/classifier.1/Flatten" });
        Assert.Equal("convnext", model.GetName());
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Assert.Equal(new long[] { 2, 128 }, model.forward(Npy.ReadTensor(File_("shared", c, "input"))).shape);
        var e = Assert.Throws<OnnxImportException>(() => OnnxBackbone.LoadGraph(File_("shared", c, "onnx"), new OnnxGraphImportOptions { OutputName = "no such value" }).Dispose());
        Assert.Equal("OutputName", e.AttributeName);
    }
}
