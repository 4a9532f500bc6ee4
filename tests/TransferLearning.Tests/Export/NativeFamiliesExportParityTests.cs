using TransferLearning.Backbones;
using TransferLearning.Backbones.Onnx.Proto;
using TransferLearning.Export;
using TransferLearning.Tests.Backbones;
using TransferLearning.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Export;

/// <summary>
/// ONNX Runtime on the exported file gives the TorchSharp model's logits in inference mode (max |diff| ≤ 1e-4 of the logits'
/// scale) for the native EfficientNet-B0, MobileNetV3-Small and a small ConvNeXt at 64×64, batch 2, with randomised batch-norm
/// statistics, norm weights, biases and layer scales so that no layer is trivial; at opset 17 (HardSwish, LayerNormalization)
/// and 13 (HardSigmoid · x, the layer norm decomposed); MobileNetV3-Large at opset 14 and ConvNeXt with global max pooling too.
/// </summary>
public sealed class NativeFamiliesExportParityTests : IDisposable
{
    private const int Size = 64;
    private static readonly string[] Classes = { "apple", "banana", "cherry" };
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tl-export-native-" + Guid.NewGuid().ToString("N"));
    private readonly ITestOutputHelper _output;

    public NativeFamiliesExportParityTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// Batch norms get running means N(0, 0.2²), variances U(0.5, 2), weights U(0.5, 1.5) and biases N(0, 0.2²); every other
    /// bias moves by N(0, 0.1²), 1-D weights (layer norms) are scaled by U(0.5, 1.5) and layer scales set to U(0.2, 1) (from 1e-6,
    /// which would hide the ConvNeXt branches).
    /// </summary>
    private static void Randomise(TorchSharp.torch.nn.Module module, int seed)
    {
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor Uniform(long[] shape, double low, double high) => rand(shape, generator: generator).mul_(high - low).add_(low);
        Tensor Normal(long[] shape, double std) => randn(shape, generator: generator).mul_(std);
        foreach (var bn in module.modules().OfType<TorchSharp.Modules.BatchNorm2d>())
        {
            long[] c = { bn.num_features };
            bn.running_mean!.copy_(Normal(c, 0.2));
            bn.running_var!.copy_(Uniform(c, 0.5, 2.0));
            bn.weight!.copy_(Uniform(c, 0.5, 1.5));
            bn.bias!.copy_(Normal(c, 0.2));
        }
        var batchNormParameters = module.modules().OfType<TorchSharp.Modules.BatchNorm2d>().SelectMany(bn => bn.parameters()).ToHashSet();
        foreach (var (name, p) in module.named_parameters())
        {
            if (batchNormParameters.Contains(p)) continue;
            if (name.EndsWith("layer_scale", StringComparison.Ordinal)) p.copy_(Uniform(p.shape, 0.2, 1.0));
            else if (name.EndsWith("bias", StringComparison.Ordinal)) p.add_(Normal(p.shape, 0.1));
            else if (p.dim() == 1) p.mul_(Uniform(p.shape, 0.5, 1.5));
        }
    }

    /// <summary>
    /// Exports at <paramref name="opset"/>, runs ORT and TorchSharp on the same batch of 2 (<paramref name="images"/>, or random
    /// 0..255 pixels), asserts and reports the difference; returns the graph. The backbone is randomised unless it has weights.
    /// </summary>
    private ModelProto AssertExportMatches(PretrainedBackbone backbone, int opset, string name, string? imagesFile = null)
    {
        if (imagesFile is null) Randomise(backbone, seed: 21);
        using var trainer = new TransferTrainer(backbone, Classes, new TransferTrainerOptions { InputSize = (Size, Size), Seed = 22 });
        Randomise(trainer.Head, seed: 23);
        string path = Path.Combine(_directory, $"{name}-opset{opset}.onnx");
        trainer.ExportOnnx(path, new OnnxExportOptions { Opset = opset });

        using var scope = NewDisposeScope();
        using var generator = new Generator(24);
        var images = imagesFile is null ? rand(new long[] { 2, 3, Size, Size }, generator: generator).mul_(255f) : Support.Npy.ReadTensor(imagesFile);
        var expected = trainer.Predict(images);
        var outputs = OrtRunner.Run(path, images);
        var want = expected.SelectMany(p => p.Logits).ToArray();
        var got = outputs["logits"].Data;
        double scale = want.Max(v => Math.Abs((double)v));
        double diff = got.Zip(want, (a, b) => Math.Abs((double)a - b)).Max();
        _output.WriteLine($"{name} opset {opset}: max |diff| {diff:E3}, logit scale {scale:E3}, relative {diff / scale:E3}; {new FileInfo(path).Length:N0} bytes");
        Assert.True(scale > 1e-3, $"{name}: the logits ({scale:E3}) are too small for the comparison to mean anything.");
        OrtRunner.AssertMatches(outputs, expected, Classes.Length);
        return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
    }

    private static string[] Ops(ModelProto model) => model.Graph.Node.Select(n => n.OpType).Distinct().ToArray();

    [Fact]
    public void EfficientNet_B0_matches_with_SiLU_squeeze_excitation_and_residuals()
    {
        using var backbone = EfficientNet.Create(new EfficientNetOptions { Variant = EfficientNetVariant.B0, Weights = TorchVisionWeights.None });
        var model = AssertExportMatches(backbone, 17, "efficientnet_b0");
        var ops = Ops(model);
        Assert.Contains("Sigmoid", ops);
        Assert.Contains("Add", ops);
        // One GlobalAveragePool per MBConv's squeeze-excitation (16 in B0) and one for the features.
        Assert.Equal(17, model.Graph.Node.Count(n => n.OpType == "GlobalAveragePool"));
    }

    [Theory]
    [InlineData(MobileNetV3Variant.Small, 17)]
    [InlineData(MobileNetV3Variant.Small, 13)]
    [InlineData(MobileNetV3Variant.Large, 14)] // the first opset with HardSwish
    public void MobileNetV3_matches_with_hard_swish_and_hard_sigmoid(MobileNetV3Variant variant, int opset)
    {
        using var backbone = MobileNetV3.Create(new MobileNetV3Options { Variant = variant, Weights = TorchVisionWeights.None });
        var model = AssertExportMatches(backbone, opset, MobileNetV3.Name(variant));
        var ops = Ops(model);
        Assert.Contains("HardSigmoid", ops);
        Assert.Equal(opset >= 14, ops.Contains("HardSwish"));
        Assert.All(model.Graph.Node.Where(n => n.OpType == "HardSigmoid"), n =>
        {
            Assert.Equal(1f / 6f, n.Attribute.Single(a => a.Name == "alpha").F);
            Assert.Equal(0.5f, n.Attribute.Single(a => a.Name == "beta").F);
        });
    }

    [Theory]
    [InlineData(17, PoolingMode.GlobalAverage)]
    [InlineData(13, PoolingMode.GlobalAverage)]
    [InlineData(17, PoolingMode.GlobalMax)]
    public void A_small_ConvNeXt_matches_with_its_layer_norms_GELU_layer_scale_and_pooled_norm(int opset, PoolingMode pooling)
    {
        using var backbone = ConvNeXtTestModels.Backbone(pooling: pooling, stochasticDepth: 0.1);
        var model = AssertExportMatches(backbone, opset, $"convnext_small_config_{pooling}");
        var ops = Ops(model);
        Assert.Contains("Erf", ops);
        Assert.Contains("MatMul", ops);
        Assert.Equal(opset >= 17, ops.Contains("LayerNormalization"));
        // Depthwise 7×7 convolutions: group = channels.
        Assert.Contains(model.Graph.Node, n => n.OpType == "Conv" && n.Attribute.Single(a => a.Name == "group").I > 1
            && n.Attribute.Single(a => a.Name == "kernel_shape").Ints.SequenceEqual(new long[] { 7, 7 }));
        // The pooled LayerNorm2d sits between the global pool and the flatten.
        var flatten = model.Graph.Node.Single(n => n.OpType == "Flatten");
        var pooled = model.Graph.Node.Single(n => n.OpType == (pooling == PoolingMode.GlobalMax ? "GlobalMaxPool" : "GlobalAveragePool"));
        Assert.DoesNotContain(pooled.Output[0], flatten.Input);
    }

    /// <summary>
    /// The torchvision-made weights of the backbone parity fixtures (narrow EfficientNet-B1 and MobileNetV3-Large with
    /// squeeze-excitation pre-activations above 6, the small ConvNeXt), on the fixtures' own normalised inputs (identity preprocessing).
    /// </summary>
    [Theory]
    [InlineData("efficientnet_b1_narrow")]
    [InlineData("mobilenet_v3_large_narrow")]
    [InlineData("convnext_small_config")]
    public void Torchvision_weights_of_the_parity_fixtures_match(string name)
    {
        using var backbone = name == "convnext_small_config"
            ? ConvNeXtTestModels.Backbone(identity: true, weightsFile: ConvNeXtTestModels.Path("convnext_small_config.pth"))
            : EfficientNetMobileNetV3NarrowParityTests.Backbone(name);
        if (name != "convnext_small_config") backbone.LoadWeights(EfficientNetMobileNetV3NarrowParityTests.Path(name + ".pth"));
        string input = name == "convnext_small_config" ? ConvNeXtTestModels.Path("convnext_small_config.input.npy") : EfficientNetMobileNetV3NarrowParityTests.Path("input.npy");
        AssertExportMatches(backbone, 17, name + "_fixture", input);
    }
}
