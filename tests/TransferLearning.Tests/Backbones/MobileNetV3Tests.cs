using TorchSharp.Modules;
using TransferLearning.Backbones;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// Structure of the native MobileNetV3s: torchvision's keys and shapes, parameter counts, batch-norm settings, layer groups,
/// options and weights catalog. Small's counts: TestData/efficientnet_mobilenet/torchvision_counts.py (torchvision 0.14).
/// </summary>
public sealed class MobileNetV3Tests
{
    internal static MobileNetV3Backbone Random(MobileNetV3Variant variant, TorchVisionPreprocessing preprocessing = TorchVisionPreprocessing.ImageNet) =>
        MobileNetV3.Create(new MobileNetV3Options { Variant = variant, Weights = TorchVisionWeights.None, Preprocessing = preprocessing });

    [Fact]
    public void Larges_trunk_has_exactly_torchvisions_keys_shapes_and_dtypes_less_the_classifier()
    {
        var (expected, parameters) = TorchVisionLayout.Read("mobilenet_v3_large");
        Assert.Equal(308, expected.Count);
        using var model = Random(MobileNetV3Variant.Large);
        TorchVisionLayout.AssertSameEntries(model, expected);
        // torchvision's classifier: Linear(960, 1280) and Linear(1280, 1000).
        Assert.Equal(parameters - (960 * 1280 + 1280) - (1280 * 1000 + 1000), model.ParameterCount);
        Assert.Equal(MobileNetV3Backbone.FeaturesParameterCount(MobileNetV3Variant.Large), model.ParameterCount);
        Assert.Equal("mobilenet_v3_large", model.Name);
        Assert.Equal(960, model.OutputChannels);
    }

    [Fact]
    public void Small_has_torchvisions_key_and_parameter_counts()
    {
        using var model = Random(MobileNetV3Variant.Small);
        Assert.Equal(240, model.state_dict().Count);
        Assert.Equal(138, model.parameters().Count());
        Assert.Equal(927_008, model.ParameterCount);
        Assert.Equal(MobileNetV3Backbone.FeaturesParameterCount(MobileNetV3Variant.Small), model.ParameterCount);
        Assert.Equal(576, model.OutputChannels);
        Assert.Equal("mobilenet_v3_small", model.Name);
        var state = model.state_dict();
        Assert.Equal(new long[] { 16, 3, 3, 3 }, state["features.0.0.weight"].shape);
        Assert.Equal(new long[] { 8, 16, 1, 1 }, state["features.1.block.1.fc1.weight"].shape); // _make_divisible(16 // 4, 8)
        Assert.Equal(new long[] { 576, 96, 1, 1 }, state["features.12.0.weight"].shape);
        Assert.DoesNotContain("features.2.block.2.fc1.weight", state.Keys); // block 2 has no squeeze-excitation
    }

    [Fact]
    public void Batch_norms_use_torchvisions_eps_and_momentum()
    {
        using var model = Random(MobileNetV3Variant.Small);
        var norms = model.modules().OfType<BatchNorm2d>().ToList();
        Assert.Equal(34, norms.Count);
        Assert.All(norms, bn => Assert.Equal(1e-3, bn.eps, 12));
        Assert.All(norms, bn => Assert.Equal(0.01, bn.momentum!.Value, 12));
        using var efficientNet = EfficientNetTests.Random(EfficientNetVariant.B0);
        Assert.All(efficientNet.modules().OfType<BatchNorm2d>(), bn => Assert.Equal(1e-5, bn.eps, 12));
    }

    [Theory]
    [InlineData(MobileNetV3Variant.Small, 576)]
    [InlineData(MobileNetV3Variant.Large, 960)]
    public void The_backbone_pools_to_the_feature_length_from_a_map_at_a_32nd_of_the_size(MobileNetV3Variant variant, int length)
    {
        using var model = Random(variant);
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var images = rand(2, 3, 64, 96) * 255;
        Assert.Equal(new long[] { 2, length, 2, 3 }, model.ExtractFeatureMap(images).shape);
        var features = model.forward(images);
        Assert.Equal(new long[] { 2, length }, features.shape);
        Assert.True(features.isfinite().all().item<bool>());
    }

    [Theory]
    [InlineData(MobileNetV3Variant.Small, new[] { "stem", "stride4", "stride8", "stride16", "stride32", "head" }, new[] { 1, 1, 2, 5, 3, 1 })]
    [InlineData(MobileNetV3Variant.Large, new[] { "stem", "stride2", "stride4", "stride8", "stride16", "stride32", "head" }, new[] { 1, 1, 2, 3, 6, 3, 1 })]
    public void Layer_groups_split_the_blocks_by_output_resolution_and_hold_each_parameter_once(MobileNetV3Variant variant, string[] names, int[] parts)
    {
        using var model = Random(variant);
        Assert.Equal(names, model.LayerGroups.Select(g => g.Name));
        Assert.Equal(parts, model.LayerGroups.Select(g => g.Modules.Count));
        var groups = TorchVisionLayout.AssertGroupsPartitionParameters(model);
        // Consecutive features.i: group k holds the indices after group k-1's.
        int next = 0;
        foreach (var (group, count) in groups.Zip(parts))
        {
            var indices = group.Select(n => int.Parse(n.Split('.')[1])).Distinct().Order().ToArray();
            Assert.Equal(Enumerable.Range(next, count), indices);
            next += count;
        }
        Assert.Equal(model.Trunk.Parts.Count, next);
    }

    [Fact]
    public void Unfreezing_the_last_two_groups_trains_the_stride32_blocks_and_the_last_convolution_only()
    {
        using var model = Random(MobileNetV3Variant.Large);
        TorchVisionLayout.AssertUnfreezingTrainsTheLastGroups(model, 2);
        model.Unfreeze(2);
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => int.Parse(p.name.Split('.')[1])).Distinct().Order();
        Assert.Equal(new[] { 13, 14, 15, 16 }, trainable);
    }

    [Fact]
    public void The_catalog_names_torchvisions_files_addresses_and_hash_prefixes()
    {
        var expected = new (MobileNetV3Variant, TorchVisionWeights, string)[]
        {
            (MobileNetV3Variant.Small, TorchVisionWeights.ImageNet, "mobilenet_v3_small-047dcff4.pth"),
            (MobileNetV3Variant.Small, TorchVisionWeights.ImageNetV1, "mobilenet_v3_small-047dcff4.pth"),
            (MobileNetV3Variant.Large, TorchVisionWeights.ImageNet, "mobilenet_v3_large-5c1a4163.pth"),
            (MobileNetV3Variant.Large, TorchVisionWeights.ImageNetV1, "mobilenet_v3_large-8738ca79.pth"),
        };
        foreach (var (variant, weights, file) in expected)
        {
            var entry = MobileNetV3.GetImageNetWeights(variant, weights);
            Assert.Equal(file, entry.FileName);
            Assert.Equal("https://download.pytorch.org/models/" + file, entry.Uri.ToString());
            Assert.Equal(file.Split('-', '.')[1], entry.Sha256);
        }
        Assert.Throws<ArgumentException>(() => MobileNetV3.GetImageNetWeights(MobileNetV3Variant.Small, TorchVisionWeights.None));
        Assert.Equal(224, MobileNetV3.RecommendedInputSize(MobileNetV3Variant.Large));
    }

    [Fact]
    public async Task Options_are_validated_with_the_bad_value_and_copied()
    {
        var e = Assert.Throws<ArgumentException>(() => MobileNetV3.Create(new MobileNetV3Options { Weights = TorchVisionWeights.File }));
        Assert.Contains("WeightsFile", e.Message);
        e = Assert.Throws<ArgumentException>(() => MobileNetV3.Create(new MobileNetV3Options { Weights = TorchVisionWeights.None, WeightsFile = "y.pth" }));
        Assert.Contains("y.pth", e.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => MobileNetV3.Create(new MobileNetV3Options { Weights = TorchVisionWeights.None, Variant = (MobileNetV3Variant)42 }));
        Assert.Contains("42", range.Message);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => MobileNetV3.Create(new MobileNetV3Options { Weights = (TorchVisionWeights)9 }));
        Assert.Contains("9", range.Message);
        Assert.Throws<FileNotFoundException>(() => MobileNetV3.Create(new MobileNetV3Options { Weights = TorchVisionWeights.File, WeightsFile = "/nonexistent/mobilenet_v3_large.pth" }));

        var options = new MobileNetV3Options { Variant = MobileNetV3Variant.Small, Weights = TorchVisionWeights.None, Pooling = PoolingMode.GlobalMax };
        var task = MobileNetV3.CreateAsync(options);
        options.Pooling = PoolingMode.Flatten;
        options.Variant = MobileNetV3Variant.Large;
        using var model = await task;
        Assert.Equal(PoolingMode.GlobalMax, model.Pooling);
        Assert.Equal("mobilenet_v3_small", model.Name);
    }
}
