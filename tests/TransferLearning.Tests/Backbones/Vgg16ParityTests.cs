using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// torchvision parity on the shared fixture: a checkpoint written by PyTorch and the feature maps torchvision's
/// <c>vgg16().features</c> computed from it. The fixture feeds its inputs straight into <c>features</c> (case 1: 0..1
/// values; case 2: already ImageNet-normalised), so the backbone is built with <see cref="Vgg16Preprocessing.Identity"/>,
/// whose transform is exactly <c>x * 1 - 0) / 1</c>, and <see cref="PretrainedBackbone.ExtractFeatureMap"/> then equals
/// torchvision's <c>features(x)</c>.
/// </summary>
public sealed class Vgg16ParityTests
{
    private readonly ITestOutputHelper _output;

    public Vgg16ParityTests(ITestOutputHelper output) => _output = output;

    private const double Tolerance = 1e-4;
    internal static string Checkpoint => SharedFixtures.Path("vgg16-torchvision", "vgg16_features_seed1234.pth");

    public static TheoryData<string, string, string> Cases => new()
    {
        { "input_2x3x64x64.npy", "features_2x3x64x64.npy", "gap_2x3x64x64.npy" },
        { "input_1x3x224x224.npy", "features_1x3x224x224.npy", "gap_1x3x224x224.npy" },
    };

    private static Tensor Fixture(string name) => Npy.ReadTensor(SharedFixtures.Path("vgg16-torchvision", name));

    private static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(b.shape, a.shape);
        return (a - b).abs().max().item<float>();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reproduces_torchvisions_feature_maps_and_pooled_vectors(string input, string features, string gap)
    {
        using var vgg = Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.File, WeightsFile = Checkpoint, Preprocessing = Vgg16Preprocessing.Identity });
        vgg.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = Fixture(input);
        double mapDiff = MaxAbsDiff(vgg.ExtractFeatureMap(x), Fixture(features));
        double poolDiff = MaxAbsDiff(vgg.forward(x), Fixture(gap));
        _output.WriteLine($"{input}: feature map max abs diff {mapDiff:g3}, pooled max abs diff {poolDiff:g3}");
        Assert.True(mapDiff <= Tolerance, $"feature map max abs diff {mapDiff}");
        Assert.True(poolDiff <= Tolerance, $"pooled max abs diff {poolDiff}");
    }

    [Fact]
    public void ImageNet_preprocessing_of_0_to_255_pixels_matches_torchvisions_normalised_input()
    {
        // Case 2's input is (pixels/255 - mean)/std; undo that to 0..255 pixels and let the backbone's own ImageNet
        // preprocessing redo it on the device. Float rounding in the round trip is the only difference.
        using var vgg = Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.File, WeightsFile = Checkpoint });
        vgg.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var normalised = Fixture("input_1x3x224x224.npy");
        var mean = tensor(new[] { 0.485f, 0.456f, 0.406f }, new long[] { 1, 3, 1, 1 });
        var std = tensor(new[] { 0.229f, 0.224f, 0.225f }, new long[] { 1, 3, 1, 1 });
        var pixels = (normalised * std + mean) * 255f;
        Assert.True(MaxAbsDiff(vgg.Preprocessing.forward(pixels), normalised) <= 1e-5);
        var reference = Fixture("gap_1x3x224x224.npy");
        double diff = MaxAbsDiff(vgg.forward(pixels), reference);
        double scale = reference.abs().max().item<float>();
        _output.WriteLine($"ImageNet preprocessing route: pooled max abs diff {diff:g3}, largest value {scale:g3}");
        Assert.True(diff <= 1e-4 * Math.Max(1, scale), $"max abs diff {diff} (largest value {scale})");
    }

    [Fact]
    public void The_checkpoint_loads_into_Vgg16Features_by_torchvisions_names()
    {
        using var features = new Vgg16Features();
        using var weights = WeightsFile.Read(Checkpoint);
        Assert.Equal(26, weights.Count);
        features.load_state_dict(weights.ToDictionary(kv => kv.Key, kv => kv.Value), strict: true);
        features.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Assert.True(MaxAbsDiff(features.forward(Fixture("input_2x3x64x64.npy")), Fixture("features_2x3x64x64.npy")) <= Tolerance);
    }
}
