using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// torchvision parity of the native ConvNeXt on the small configuration <c>(32, 64, 1), (64, 128, 2), (128, None, 1)</c>, 10 classes,
/// eval mode: the checkpoints hold torchvision's keys, <c>classifier.2.*</c> included, which the backbone ignores; the test applies
/// that linear layer itself to reach the logits. Inputs are already normalised, so the backbones use identity preprocessing.
/// </summary>
public sealed class ConvNeXtParityTests(ITestOutputHelper output)
{
    private const double RelativeTolerance = 1e-4;

    private void AssertClose(Tensor actual, Tensor expected, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (actual - expected).abs().max().item<float>();
        double scale = expected.abs().max().item<float>();
        output.WriteLine($"{what}: max abs diff {diff:g3}, largest value {scale:g3}");
        Assert.True(diff <= RelativeTolerance * scale, $"{what}: max abs diff {diff} against a largest value of {scale}");
    }

    private void AssertLogits(string pth, string input, string logits, string? features)
    {
        using var convnext = ConvNeXtTestModels.Backbone(identity: true, weightsFile: pth);
        convnext.eval();
        using var weights = WeightsFile.Read(pth);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var vector = convnext.forward(Npy.ReadTensor(input));
        Assert.Equal(new long[] { 2, 128 }, vector.shape);
        if (features is not null) AssertClose(vector, Npy.ReadTensor(features), $"{System.IO.Path.GetFileName(pth)} features");
        var actual = nn.functional.linear(vector, weights["classifier.2.weight"], weights["classifier.2.bias"]);
        AssertClose(actual, Npy.ReadTensor(logits), $"{System.IO.Path.GetFileName(pth)} logits");
    }

    [Fact]
    public void Reproduces_torchvisions_logits_of_the_shared_ConvNeXt_variant()
    {
        // torchvision's own initialisation (layer scales 1e-6, so the blocks are nearly the identity): checks the stem, the
        // downsampling layers, the pooling and classifier.0.
        string Shared(string file) => SharedFixtures.Path("onnx-torchvision", file);
        AssertLogits(Shared("convnext_tiny_variant.pth"), Shared("convnext_tiny_variant.input.npy"), Shared("convnext_tiny_variant.logits.npy"), null);
    }

    [Fact]
    public void Reproduces_torchvisions_features_and_logits_with_every_parameter_randomised()
    {
        // Layer scales 0.5..1.5, layer-norm weights and all biases random: the blocks' depthwise convolution, permutes, layer norm,
        // linears, exact GELU, layer scale and residual all count.
        AssertLogits(ConvNeXtTestModels.Path("convnext_small_config.pth"), ConvNeXtTestModels.Path("convnext_small_config.input.npy"),
            ConvNeXtTestModels.Path("convnext_small_config.logits.npy"), ConvNeXtTestModels.Path("convnext_small_config.features.npy"));
    }

    [Fact]
    public void Max_pooling_and_flatten_run_the_pooled_layer_norm_too()
    {
        // GlobalMax: classifier.0 normalises the max-pooled vector; Flatten: it normalises every position of the map.
        string pth = ConvNeXtTestModels.Path("convnext_small_config.pth");
        using var max = ConvNeXtTestModels.Backbone(identity: true, pooling: PoolingMode.GlobalMax, weightsFile: pth);
        using var flat = ConvNeXtTestModels.Backbone(identity: true, pooling: PoolingMode.Flatten, weightsFile: pth);
        max.eval();
        flat.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = Npy.ReadTensor(ConvNeXtTestModels.Path("convnext_small_config.input.npy"));
        var map = max.ExtractFeatureMap(input); // 2 x 128 x 4 x 4
        var state = max.state_dict();
        Tensor Norm(Tensor x) => nn.functional.layer_norm(x, new long[] { 128 }, state["classifier.0.weight"], state["classifier.0.bias"], 1e-6);
        var expectedMax = Norm(map.amax(new long[] { 2, 3 }));
        AssertClose(max.forward(input), expectedMax, "GlobalMax");
        var expectedFlat = Norm(map.permute(0, 2, 3, 1)).permute(0, 3, 1, 2).flatten(1);
        Assert.Equal(new long[] { 2, 128 * 4 * 4 }, expectedFlat.shape);
        AssertClose(flat.forward(input), expectedFlat, "Flatten");
    }

    [Fact]
    public void A_checkpoint_of_another_configuration_is_refused_with_the_key_named_and_nothing_changed()
    {
        using var convnext = ConvNeXt.Create(new ConvNeXtOptions
        {
            BlockConfigs = new ConvNeXtBlockConfig[] { new(32, 64, 1), new(64, 128, 1), new(128, null, 1) },
            Weights = TorchVisionWeights.None,
        });
        using var scope = NewDisposeScope();
        var before = convnext.state_dict()["features.0.0.weight"].clone();
        var e = Assert.Throws<WeightsMismatchException>(() => convnext.LoadWeights(ConvNeXtTestModels.Path("convnext_small_config.pth")));
        Assert.Contains("features.3.1.", e.Message);
        Assert.Contains("classifier.2.*", e.Message);
        Assert.True(before.equal(convnext.state_dict()["features.0.0.weight"]).all().item<bool>());
    }

    [Fact]
    public void A_full_size_torchvision_layout_state_dict_loads_into_ConvNeXt_Tiny_by_name()
    {
        // The published files cannot be fetched here; a state dict with exactly their keys and shapes (the backbone's own, plus
        // torchvision's classifier.2) stands in for convnext_tiny-983f1562.pth.
        using var source = ConvNeXt.Create(new ConvNeXtOptions { Weights = TorchVisionWeights.None });
        using var target = ConvNeXt.Create(new ConvNeXtOptions { Weights = TorchVisionWeights.None });
        using var scope = NewDisposeScope();
        var state = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        state["classifier.2.weight"] = zeros(1000, 768);
        state["classifier.2.bias"] = zeros(1000);
        using (no_grad()) state["classifier.0.weight"].uniform_(0.5, 1.5);
        target.LoadWeights(state, "convnext_tiny-983f1562.pth");
        foreach (var key in new[] { "features.7.2.layer_scale", "features.6.1.weight", "features.5.8.block.5.weight", "classifier.0.weight" })
            Assert.True(source.state_dict()[key].equal(target.state_dict()[key]).all().item<bool>(), key);
    }
}
