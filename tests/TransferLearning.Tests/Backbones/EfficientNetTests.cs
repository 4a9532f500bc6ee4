using TorchSharp.Modules;
using TransferLearning.Backbones;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// Structure of the native EfficientNets: torchvision's keys and shapes, parameter counts, layer groups, stochastic depth,
/// options and weights catalog. B1 … B3 counts: TestData/efficientnet_mobilenet/torchvision_counts.py (torchvision 0.14).
/// </summary>
public sealed class EfficientNetTests
{
    internal static EfficientNetBackbone Random(EfficientNetVariant variant, TorchVisionPreprocessing preprocessing = TorchVisionPreprocessing.ImageNet) =>
        EfficientNet.Create(new EfficientNetOptions { Variant = variant, Weights = TorchVisionWeights.None, Preprocessing = preprocessing });

    [Fact]
    public void B0s_trunk_has_exactly_torchvisions_keys_shapes_and_dtypes_less_the_classifier()
    {
        var (expected, parameters) = TorchVisionLayout.Read("efficientnet_b0");
        Assert.Equal(358, expected.Count);
        using var model = Random(EfficientNetVariant.B0);
        TorchVisionLayout.AssertSameEntries(model, expected);
        Assert.Equal(parameters - (1280 * 1000 + 1000), model.ParameterCount);
        Assert.Equal(EfficientNetBackbone.FeaturesParameterCount(EfficientNetVariant.B0), model.ParameterCount);
        Assert.Equal("efficientnet_b0", model.Name);
        Assert.Equal(1280, model.OutputChannels);
        Assert.Equal(new[] { 1, 2, 2, 3, 3, 4, 1 }, model.Trunk.StageBlockCounts);
    }

    [Theory]
    // torchvision_counts.py: keys, parameter tensors, parameters, stage block counts; B1 and B2 share their depth (1.1 vs 1.2 rounds up alike).
    [InlineData(EfficientNetVariant.B1, 506, 299, 6_513_184, 1280, new[] { 2, 3, 3, 4, 4, 5, 2 })]
    [InlineData(EfficientNetVariant.B2, 506, 299, 7_700_994, 1408, new[] { 2, 3, 3, 4, 4, 5, 2 })]
    [InlineData(EfficientNetVariant.B3, 572, 338, 10_696_232, 1536, new[] { 2, 3, 3, 5, 5, 6, 2 })]
    public void B1_to_B3_have_torchvisions_key_and_parameter_counts(EfficientNetVariant variant, int keys, int tensors, long parameters, int channels, int[] stages)
    {
        using var model = Random(variant);
        Assert.Equal(keys, model.state_dict().Count);
        Assert.Equal(tensors, model.parameters().Count());
        Assert.Equal(parameters, model.ParameterCount);
        Assert.Equal(EfficientNetBackbone.FeaturesParameterCount(variant), model.ParameterCount);
        Assert.Equal(channels, model.OutputChannels);
        Assert.Equal(stages, model.Trunk.StageBlockCounts);
        Assert.Equal(EfficientNet.Name(variant), model.Name);
        Assert.All(model.state_dict().Keys, k => Assert.StartsWith("features.", k));
    }

    [Theory]
    [InlineData(EfficientNetVariant.B0, 1280)]
    [InlineData(EfficientNetVariant.B1, 1280)]
    [InlineData(EfficientNetVariant.B2, 1408)]
    [InlineData(EfficientNetVariant.B3, 1536)]
    public void The_backbone_pools_to_the_feature_length_from_a_map_at_a_32nd_of_the_size(EfficientNetVariant variant, int length)
    {
        using var model = Random(variant);
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var images = rand(1, 3, 64, 96) * 255;
        Assert.Equal(new long[] { 1, length, 2, 3 }, model.ExtractFeatureMap(images).shape);
        var features = model.forward(images);
        Assert.Equal(new long[] { 1, length }, features.shape);
        Assert.True(features.isfinite().all().item<bool>());
        Assert.Equal("imagenet", model.Preprocessing.Name);
    }

    [Fact]
    public void Layer_groups_are_the_stem_the_seven_stages_and_the_head_and_hold_each_parameter_once()
    {
        using var model = Random(EfficientNetVariant.B0);
        Assert.Equal(new[] { "stem", "stage1", "stage2", "stage3", "stage4", "stage5", "stage6", "stage7", "head" }, model.LayerGroups.Select(g => g.Name));
        var groups = TorchVisionLayout.AssertGroupsPartitionParameters(model);
        for (int i = 0; i < groups.Count; i++)
            Assert.All(groups[i], name => Assert.StartsWith($"features.{i}.", name));
        Assert.Equal(new[] { "features.0.0.weight", "features.0.1.weight", "features.0.1.bias" }, groups[0]);
    }

    [Fact]
    public void Unfreezing_the_last_three_groups_trains_stage6_stage7_and_the_head_only()
    {
        using var model = Random(EfficientNetVariant.B0);
        TorchVisionLayout.AssertUnfreezingTrainsTheLastGroups(model, 3);
        model.Unfreeze(3);
        Assert.True(model.named_parameters().Where(p => p.parameter.requires_grad).All(p =>
            p.name.StartsWith("features.6.", StringComparison.Ordinal) || p.name.StartsWith("features.7.", StringComparison.Ordinal) || p.name.StartsWith("features.8.", StringComparison.Ordinal)));
    }

    [Fact]
    public void Stochastic_depth_follows_torchvisions_schedule_and_drops_whole_samples_only_in_training()
    {
        using var model = Random(EfficientNetVariant.B0);
        var blocks = model.Trunk.modules().OfType<EfficientNetMBConv>().ToList();
        Assert.Equal(16, blocks.Count);
        for (int i = 0; i < blocks.Count; i++) Assert.Equal(0.2 * i / 16, blocks[i].StochasticDepthProbability, 12);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var layer = new StochasticDepth(0.5);
        var x = ones(64, 3, 2, 2);
        layer.eval();
        Assert.True(layer.forward(x).equal(x).all().item<bool>());
        layer.train();
        var y = layer.forward(x);
        var perSample = y.flatten(1);
        // Each sample is either dropped (all 0) or kept and scaled by 1 / (1 - p) = 2, as a whole.
        Assert.True((perSample.amin(1) == perSample.amax(1)).all().item<bool>());
        var values = perSample[.., 0];
        Assert.True(((values == 0) | (values == 2)).all().item<bool>());
        long kept = (values == 2).sum().item<long>();
        Assert.InRange(kept, 16, 48);

        using var off = EfficientNet.Create(new EfficientNetOptions { Weights = TorchVisionWeights.None, StochasticDepthProbability = 0 });
        Assert.All(off.Trunk.modules().OfType<EfficientNetMBConv>(), b => Assert.Equal(0, b.StochasticDepthProbability));
    }

    [Fact]
    public void A_state_dict_of_torchvisions_keys_with_its_classifier_loads_by_name_and_another_variant_is_refused()
    {
        using var source = Random(EfficientNetVariant.B0);
        using var target = Random(EfficientNetVariant.B0);
        using var scope = NewDisposeScope();
        var state = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        state["classifier.1.weight"] = zeros(1000, 1280);
        state["classifier.1.bias"] = zeros(1000);
        target.LoadWeights(state, "efficientnet_b0_rwightman-7f5810bc.pth");
        Assert.True(source.state_dict()["features.6.3.block.2.fc1.weight"].equal(target.state_dict()["features.6.3.block.2.fc1.weight"]).all().item<bool>());
        Assert.True(source.state_dict()["features.8.1.running_var"].equal(target.state_dict()["features.8.1.running_var"]).all().item<bool>());

        using var b1 = Random(EfficientNetVariant.B1);
        var e = Assert.Throws<WeightsMismatchException>(() => b1.LoadWeights(state, "b0.pth"));
        Assert.Contains("efficientnet_b1", e.Message);
    }

    [Fact]
    public void The_catalog_names_torchvisions_files_addresses_and_hash_prefixes()
    {
        var expected = new (EfficientNetVariant, TorchVisionWeights, string)[]
        {
            (EfficientNetVariant.B0, TorchVisionWeights.ImageNet, "efficientnet_b0_rwightman-7f5810bc.pth"),
            (EfficientNetVariant.B0, TorchVisionWeights.ImageNetV1, "efficientnet_b0_rwightman-7f5810bc.pth"),
            (EfficientNetVariant.B1, TorchVisionWeights.ImageNet, "efficientnet_b1-c27df63c.pth"),
            (EfficientNetVariant.B1, TorchVisionWeights.ImageNetV1, "efficientnet_b1_rwightman-533bc792.pth"),
            (EfficientNetVariant.B2, TorchVisionWeights.ImageNet, "efficientnet_b2_rwightman-c35c1473.pth"),
            (EfficientNetVariant.B2, TorchVisionWeights.ImageNetV1, "efficientnet_b2_rwightman-c35c1473.pth"),
            (EfficientNetVariant.B3, TorchVisionWeights.ImageNet, "efficientnet_b3_rwightman-b3899882.pth"),
            (EfficientNetVariant.B3, TorchVisionWeights.ImageNetV1, "efficientnet_b3_rwightman-b3899882.pth"),
        };
        foreach (var (variant, weights, file) in expected)
        {
            var entry = EfficientNet.GetImageNetWeights(variant, weights);
            Assert.Equal(file, entry.FileName);
            Assert.Equal("https://download.pytorch.org/models/" + file, entry.Uri.ToString());
            Assert.Equal(file.Split('-', '.')[1], entry.Sha256);
        }
        Assert.Throws<ArgumentException>(() => EfficientNet.GetImageNetWeights(EfficientNetVariant.B0, TorchVisionWeights.None));
        Assert.Throws<ArgumentException>(() => EfficientNet.GetImageNetWeights(EfficientNetVariant.B0, TorchVisionWeights.File));
        Assert.Equal(new[] { 224, 240, 288, 300 }, Enum.GetValues<EfficientNetVariant>().Select(EfficientNet.RecommendedInputSize));
    }

    [Fact]
    public async Task Options_are_validated_with_the_bad_value_and_copied()
    {
        var e = Assert.Throws<ArgumentException>(() => EfficientNet.Create(new EfficientNetOptions { Weights = TorchVisionWeights.File }));
        Assert.Contains("WeightsFile", e.Message);
        e = Assert.Throws<ArgumentException>(() => EfficientNet.Create(new EfficientNetOptions { Weights = TorchVisionWeights.None, WeightsFile = "x.pth" }));
        Assert.Contains("x.pth", e.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => EfficientNet.Create(new EfficientNetOptions { Weights = TorchVisionWeights.None, Variant = (EfficientNetVariant)42 }));
        Assert.Contains("42", range.Message);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => EfficientNet.Create(new EfficientNetOptions { Weights = TorchVisionWeights.None, StochasticDepthProbability = 1.5 }));
        Assert.Contains("1.5", range.Message);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => EfficientNet.Create(new EfficientNetOptions { Weights = TorchVisionWeights.None, Preprocessing = (TorchVisionPreprocessing)7 }));
        Assert.Contains("7", range.Message);
        Assert.Throws<ArgumentNullException>(() => EfficientNet.Create(new EfficientNetOptions { Weights = TorchVisionWeights.None, Cache = null! }));
        Assert.Throws<FileNotFoundException>(() => EfficientNet.Create(new EfficientNetOptions { Weights = TorchVisionWeights.File, WeightsFile = "/nonexistent/efficientnet_b0.pth" }));

        // Copied at creation: changing the options afterwards changes nothing.
        var options = new EfficientNetOptions { Weights = TorchVisionWeights.None, Pooling = PoolingMode.GlobalMax, Preprocessing = TorchVisionPreprocessing.Identity };
        var task = EfficientNet.CreateAsync(options);
        options.Pooling = PoolingMode.Flatten;
        options.Variant = EfficientNetVariant.B3;
        using var model = await task;
        Assert.Equal(PoolingMode.GlobalMax, model.Pooling);
        Assert.Equal("efficientnet_b0", model.Name);
        Assert.Equal("identity", model.Preprocessing.Name);
    }
}
