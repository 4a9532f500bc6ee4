using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// torchvision parity on <c>TestData/resnet</c>: checkpoints written by PyTorch from torchvision's own ResNet code (resnet18
/// and resnet50 depths at an eighth of the widths, random weights and batch-norm statistics, eval mode) and what torchvision
/// computed from them. The inputs are already normalised, so the backbones use <see cref="TorchVisionPreprocessing.Identity"/>.
/// The checkpoints hold <c>fc.*</c>, which the backbone ignores; the test applies that <c>fc</c> itself to reach the logits.
/// </summary>
public sealed class ResNetParityTests(ITestOutputHelper output)
{
    private const double RelativeTolerance = 1e-4;

    public static TheoryData<string> Models => new() { "resnet18_narrow", "resnet50_narrow" };

    private static Tensor Fixture(string name) => Npy.ReadTensor(ResNetTestModels.Path(name));

    private void AssertClose(Tensor actual, Tensor expected, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (actual - expected).abs().max().item<float>();
        double scale = expected.abs().max().item<float>();
        output.WriteLine($"{what}: max abs diff {diff:g3}, largest value {scale:g3}");
        Assert.True(diff <= RelativeTolerance * scale, $"{what}: max abs diff {diff} against a largest value of {scale}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Reproduces_torchvisions_pooled_features_and_logits(string name)
    {
        using var resnet = ResNetTestModels.Backbone(name, identity: true);
        resnet.LoadWeights(ResNetTestModels.Path($"{name}.pth"));
        resnet.eval();
        using var weights = WeightsFile.Read(ResNetTestModels.Path($"{name}.pth"));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var features = resnet.forward(Fixture("input.npy"));
        AssertClose(features, Fixture($"{name}.features.npy"), $"{name} features");
        var logits = nn.functional.linear(features, weights["fc.weight"], weights["fc.bias"]);
        AssertClose(logits, Fixture($"{name}.logits.npy"), $"{name} logits");
    }

    [Fact]
    public void A_torchvision_checkpoint_loads_through_ResNet_Create_and_the_ImageNet_preprocessing_of_pixels_gives_the_same_features()
    {
        // The fixture's input is (pixels/255 - mean)/std; undo that and let the backbone's own preprocessing redo it.
        string path = ResNetTestModels.Path("resnet18_narrow.pth");
        using var resnet = ResNetTestModels.Backbone("resnet18_narrow");
        resnet.LoadWeights(path, WeightsFormat.PyTorch);
        resnet.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var mean = tensor(new[] { 0.485f, 0.456f, 0.406f }, new long[] { 1, 3, 1, 1 });
        var std = tensor(new[] { 0.229f, 0.224f, 0.225f }, new long[] { 1, 3, 1, 1 });
        var pixels = (Fixture("input.npy") * std + mean) * 255f;
        var features = resnet.forward(pixels);
        var expected = Fixture("resnet18_narrow.features.npy");
        double diff = (features - expected).abs().max().item<float>();
        Assert.True(diff <= 1e-3 * expected.abs().max().item<float>(), $"max abs diff {diff}");
    }

    [Fact]
    public void A_checkpoint_of_another_architecture_is_refused_with_the_keys_named_and_nothing_changed()
    {
        using var resnet = ResNetTestModels.Backbone("resnet50_narrow");
        using var scope = NewDisposeScope();
        var before = resnet.Trunk.state_dict()["conv1.weight"].clone();
        var e = Assert.Throws<WeightsMismatchException>(() => resnet.LoadWeights(ResNetTestModels.Path("resnet18_narrow.pth")));
        Assert.Contains("resnet50_narrow", e.Message);
        Assert.Contains("layer1.0.conv3.weight", e.Message);
        Assert.Contains("fc.*", e.Message);
        Assert.True(before.equal(resnet.Trunk.state_dict()["conv1.weight"]).all().item<bool>());
    }

    [Fact]
    public void A_full_width_torchvision_layout_state_dict_loads_into_ResNet18_by_name()
    {
        // The published files cannot be fetched here; a state dict with exactly their keys and shapes (the trunk's own, plus
        // torchvision's fc) stands in for resnet18-f37072fd.pth.
        using var source = ResNetTests.Random(ResNetVariant.ResNet18);
        using var target = ResNetTests.Random(ResNetVariant.ResNet18);
        using var scope = NewDisposeScope();
        var state = source.Trunk.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        state["fc.weight"] = zeros(1000, 512);
        state["fc.bias"] = zeros(1000);
        target.LoadWeights(state, "resnet18-f37072fd.pth");
        Assert.True(source.Trunk.state_dict()["layer4.1.bn2.running_var"].equal(target.Trunk.state_dict()["layer4.1.bn2.running_var"]).all().item<bool>());
        Assert.True(source.Trunk.state_dict()["layer3.0.downsample.0.weight"].equal(target.Trunk.state_dict()["layer3.0.downsample.0.weight"]).all().item<bool>());
    }
}
