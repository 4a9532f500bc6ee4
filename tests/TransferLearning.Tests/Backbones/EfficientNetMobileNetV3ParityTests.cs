using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// torchvision parity on shared/fixtures/onnx-torchvision (make_onnx_zoo.py with WITH_PTH=1: torchvision 0.14's
/// <c>efficientnet_b0()</c> and <c>mobilenet_v3_small()</c>, random weights, batch-norm statistics drawn at random, eval mode;
/// input 2×3×96×96 already normalised). The .pth files load through the factories (their <c>classifier.*</c> keys ignored);
/// the test applies torchvision's classifier from the same file itself to reach the logits.
/// </summary>
public sealed class EfficientNetMobileNetV3ParityTests(ITestOutputHelper output)
{
    private const double RelativeTolerance = 1e-4;

    private static string Fixture(string file) => SharedFixtures.Path("onnx-torchvision", file);

    private void AssertClose(Tensor actual, Tensor expected, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (actual - expected).abs().max().item<float>();
        double scale = expected.abs().max().item<float>();
        output.WriteLine($"{what}: max abs diff {diff:g3}, largest |logit| {scale:g3}, relative {diff / scale:g3}");
        Assert.True(diff <= RelativeTolerance * scale, $"{what}: max abs diff {diff} against a largest value of {scale}");
    }

    [Fact]
    public void EfficientNet_B0_reproduces_torchvisions_logits()
    {
        using var model = EfficientNet.Create(new EfficientNetOptions
        {
            Variant = EfficientNetVariant.B0, Weights = TorchVisionWeights.File, WeightsFile = Fixture("efficientnet_b0.pth"), Preprocessing = TorchVisionPreprocessing.Identity,
        });
        model.eval();
        using var weights = WeightsFile.Read(Fixture("efficientnet_b0.pth"));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var features = model.forward(Npy.ReadTensor(Fixture("efficientnet_b0.input.npy")));
        Assert.Equal(new long[] { 2, 1280 }, features.shape);
        // torchvision's classifier: Dropout (the identity in eval mode), Linear(1280, 1000).
        var logits = nn.functional.linear(features, weights["classifier.1.weight"], weights["classifier.1.bias"]);
        AssertClose(logits, Npy.ReadTensor(Fixture("efficientnet_b0.logits.npy")), "efficientnet_b0 logits");
    }

    [Fact]
    public void MobileNetV3_Small_reproduces_torchvisions_logits()
    {
        using var model = MobileNetV3.Create(new MobileNetV3Options
        {
            Variant = MobileNetV3Variant.Small, Weights = TorchVisionWeights.File, WeightsFile = Fixture("mobilenet_v3_small.pth"), Preprocessing = TorchVisionPreprocessing.Identity,
        });
        model.eval();
        using var weights = WeightsFile.Read(Fixture("mobilenet_v3_small.pth"));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var features = model.forward(Npy.ReadTensor(Fixture("mobilenet_v3_small.input.npy")));
        Assert.Equal(new long[] { 2, 576 }, features.shape);
        // torchvision's classifier: Linear(576, 1024), Hardswish, Dropout (the identity in eval mode), Linear(1024, 1000).
        var hidden = nn.functional.hardswish(nn.functional.linear(features, weights["classifier.0.weight"], weights["classifier.0.bias"]));
        var logits = nn.functional.linear(hidden, weights["classifier.3.weight"], weights["classifier.3.bias"]);
        AssertClose(logits, Npy.ReadTensor(Fixture("mobilenet_v3_small.logits.npy")), "mobilenet_v3_small logits");
    }

    [Fact]
    public void A_MobileNetV3_file_is_refused_by_EfficientNet_with_the_keys_named()
    {
        var e = Assert.Throws<WeightsMismatchException>(() => EfficientNet.Create(new EfficientNetOptions
        {
            Weights = TorchVisionWeights.File, WeightsFile = Fixture("mobilenet_v3_small.pth"),
        }));
        Assert.Contains("efficientnet_b0", e.Message);
        Assert.Contains("classifier.*", e.Message);
    }
}
