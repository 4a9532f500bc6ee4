using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// torchvision parity on <c>TestData/efficientnet_mobilenet</c> (make_narrow_fixtures.py, torchvision 0.14's own classes):
/// EfficientNet-B1's depth (1.1, so the rounded-up stage lengths 2, 3, 3, 4, 4, 5, 2) at width 0.125, and MobileNetV3-Large at
/// width 0.25, with random weights and batch-norm statistics and squeeze-excitation pre-activations above 6 (where ReLU6 and
/// torchvision's ReLU differ). The inputs are already normalised; the backbones use the identity preprocessing.
/// </summary>
public sealed class EfficientNetMobileNetV3NarrowParityTests(ITestOutputHelper output)
{
    private const double RelativeTolerance = 1e-4;

    internal static string Path(string file) => RepositoryPaths.Path("tests", "TransferLearning.Tests", "Backbones", "TestData", "efficientnet_mobilenet", file);

    internal static PretrainedBackbone Backbone(string name) => name switch
    {
        "efficientnet_b1_narrow" => ModuleTensors.Build(() => EfficientNetBackbone.Build(name,
            new EfficientNetFeatures(0.125, EfficientNetFeatures.Multipliers(EfficientNetVariant.B1).Depth, 0.2), PoolingMode.GlobalAverage, ImagePreprocessing.Identity())),
        "mobilenet_v3_large_narrow" => ModuleTensors.Build(() => MobileNetV3Backbone.Build(name,
            new MobileNetV3Features(MobileNetV3Variant.Large, 0.25), PoolingMode.GlobalAverage, ImagePreprocessing.Identity())),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [InlineData("efficientnet_b1_narrow", 160)]
    [InlineData("mobilenet_v3_large_narrow", 240)]
    public void Reproduces_torchvisions_pooled_features(string name, int length)
    {
        using var model = Backbone(name);
        model.LoadWeights(Path($"{name}.pth"));
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var features = model.forward(Npy.ReadTensor(Path("input.npy")));
        var expected = Npy.ReadTensor(Path($"{name}.features.npy"));
        Assert.Equal(new long[] { 2, length }, features.shape);
        Assert.Equal(expected.shape, features.shape);
        double diff = (features - expected).abs().max().item<float>();
        double scale = expected.abs().max().item<float>();
        output.WriteLine($"{name} features: max abs diff {diff:g3}, largest value {scale:g3}, relative {diff / scale:g3}");
        Assert.True(diff <= RelativeTolerance * scale, $"{name}: max abs diff {diff} against a largest value of {scale}");
    }
}
