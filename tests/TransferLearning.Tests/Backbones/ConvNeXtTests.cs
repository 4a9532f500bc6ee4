using System.Text.Json;
using TorchSharp.Modules;
using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>Structure of the native ConvNeXt: torchvision's keys and shapes, parameter counts, layer groups, stochastic depth, options and weights catalog.</summary>
public sealed class ConvNeXtTests
{
    [Fact]
    public void ConvNeXt_Tiny_has_exactly_torchvisions_keys_shapes_and_dtypes_less_classifier_2()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path("onnx-torchvision", "keys", "convnext_tiny.json")));
        var all = json.RootElement.GetProperty("state_dict").EnumerateArray()
            .Select(e => (Key: e.GetProperty("key").GetString()!, Shape: e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                          DType: e.GetProperty("dtype").GetString()!))
            .ToList();
        var expected = all.Where(e => !e.Key.StartsWith("classifier.2.", StringComparison.Ordinal)).ToList();
        Assert.Equal(all.Count - 2, expected.Count);

        using var convnext = ConvNeXt.Create(new ConvNeXtOptions { Weights = TorchVisionWeights.None });
        var state = convnext.state_dict();
        // ConvNeXt has no buffers, so the state dict is the parameters, which TorchSharp lists in torchvision's order.
        Assert.Equal(expected.Select(e => e.Key), state.Keys);
        foreach (var (key, shape, dtype) in expected)
        {
            Assert.True(shape.SequenceEqual(state[key].shape), $"{key}: torchvision [{string.Join(", ", shape)}], native [{string.Join(", ", state[key].shape)}]");
            Assert.Equal(dtype, state[key].dtype == ScalarType.Float32 ? "float32" : state[key].dtype.ToString());
        }
        Assert.Equal(expected.Select(e => e.Key), convnext.named_parameters().Select(p => p.name));
        Assert.Equal(json.RootElement.GetProperty("parameters").GetInt64() - (768 * 1000 + 1000), convnext.ParameterCount);
        Assert.Equal(ConvNeXtBackbone.FeaturesParameterCount(ConvNeXtVariant.Tiny), convnext.ParameterCount);
        Assert.Equal(768, convnext.OutputChannels);
        Assert.Equal("convnext_tiny", convnext.Name);
        Assert.Equal("imagenet", convnext.Preprocessing.Name);
        Assert.Equal(0.1, convnext.Trunk.StochasticDepthProbability);
    }

    [Theory]
    [InlineData(ConvNeXtVariant.Tiny, 28_589_128, 768)]
    [InlineData(ConvNeXtVariant.Small, 50_223_688, 768)]
    [InlineData(ConvNeXtVariant.Base, 88_591_464, 1024)]
    [InlineData(ConvNeXtVariant.Large, 197_767_336, 1536)]
    public void Each_sizes_stages_give_torchvisions_published_parameter_count(ConvNeXtVariant variant, long torchvisionParameters, int channels)
    {
        // Counted from the configuration (too large to build them all here): stem conv + LayerNorm2d; per block of width d a 7x7
        // depthwise conv, layer norm, d -> 4d -> d linears and layer_scale (8d^2 + 58d); per downsampling layer a LayerNorm2d and a
        // 2x2 conv; classifier.0. torchvision's num_params less classifier.2 (channels x 1000 + 1000).
        var configs = ConvNeXt.GetBlockConfigs(variant);
        long c0 = configs[0].InputChannels;
        long count = 3 * c0 * 16 + c0 + 2 * c0;
        foreach (var c in configs)
        {
            long d = c.InputChannels;
            count += c.Layers * (8 * d * d + 58 * d);
            if (c.OutputChannels is { } o) count += 2 * d + d * o * 4 + o;
        }
        count += 2 * configs[^1].OutputWidth;
        Assert.Equal(channels, configs[^1].OutputWidth);
        Assert.Equal(torchvisionParameters - (channels * 1000L + 1000), count);
        Assert.Equal(count, ConvNeXtBackbone.FeaturesParameterCount(variant));
        Assert.Equal(4, configs.Count);
        Assert.Null(configs[^1].OutputChannels);
    }

    [Fact]
    public void The_backbone_pools_to_the_feature_length_and_maps_at_a_16th_of_the_size_for_two_downsamplings()
    {
        using var convnext = ConvNeXtTestModels.Backbone();
        convnext.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var images = rand(2, 3, 64, 96) * 255;
        Assert.Equal(new long[] { 2, 128, 4, 6 }, convnext.ExtractFeatureMap(images).shape);
        Assert.Equal(new long[] { 2, 128 }, convnext.forward(images).shape);
        Assert.Equal(new long[] { 1, 128 }, convnext.forward(rand(1, 3, 64, 64) * 255).shape);
        Assert.Equal(128, convnext.OutputChannels);
        Assert.Equal(ConvNeXt.CustomName, convnext.Name);
        // The pooled vector goes through classifier.0: with its default weights each image's features have mean 0 and variance 1.
        var features = convnext.forward(images);
        Assert.True(features.mean(new long[] { 1 }).abs().max().item<float>() < 1e-4);
        Assert.True((features.var(1, unbiased: false) - 1).abs().max().item<float>() < 1e-3);
    }

    [Fact]
    public void Layer_groups_are_the_stem_and_each_stage_with_its_downsampling_and_cover_every_parameter_once()
    {
        using var tiny = ConvNeXt.Create(new ConvNeXtOptions { Weights = TorchVisionWeights.None });
        Assert.Equal(new[] { "stem", "stage1", "stage2", "stage3", "stage4" }, tiny.LayerGroups.Select(g => g.Name));
        var prefixes = new[]
        {
            new[] { "features.0." }, new[] { "features.1." }, new[] { "features.2.", "features.3." },
            new[] { "features.4.", "features.5." }, new[] { "features.6.", "features.7.", "classifier.0." },
        };
        AssertGroupsPartitionParameters(tiny, prefixes);

        using var small = ConvNeXtTestModels.Backbone();
        Assert.Equal(new[] { "stem", "stage1", "stage2", "stage3" }, small.LayerGroups.Select(g => g.Name));
        AssertGroupsPartitionParameters(small, new[]
        {
            new[] { "features.0." }, new[] { "features.1." }, new[] { "features.2.", "features.3." }, new[] { "features.4.", "features.5.", "classifier.0." },
        });

        // A downsampling layer after the last stage joins the last group.
        using var trailing = ConvNeXt.Create(new ConvNeXtOptions { BlockConfigs = new ConvNeXtBlockConfig[] { new(8, 16, 1), new(16, 24, 1) }, Weights = TorchVisionWeights.None });
        Assert.Equal(24, trailing.OutputChannels);
        AssertGroupsPartitionParameters(trailing, new[] { new[] { "features.0." }, new[] { "features.1." }, new[] { "features.2.", "features.3.", "features.4.", "classifier.0." } });
    }

    private static void AssertGroupsPartitionParameters(ConvNeXtBackbone backbone, string[][] prefixes)
    {
        var names = backbone.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        var seen = new HashSet<string>();
        for (int g = 0; g < prefixes.Length; g++)
        {
            foreach (var p in backbone.LayerGroups[g].Parameters())
            {
                string name = names[p.Handle];
                Assert.True(seen.Add(name), $"{name} is in more than one group");
                Assert.True(prefixes[g].Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)), $"{name} is in group {backbone.LayerGroups[g].Name}");
            }
        }
        Assert.Equal(names.Values.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Equal(backbone.ParameterCount, backbone.LayerGroups.Sum(g => g.Parameters().Sum(p => p.numel())));
    }

    [Fact]
    public void Unfreezing_the_last_group_trains_the_last_stage_its_downsampling_and_classifier_0_only()
    {
        using var convnext = ConvNeXtTestModels.Backbone();
        convnext.Freeze();
        Assert.True(convnext.IsFrozen);
        Assert.Equal(0, convnext.TrainableParameterCount);

        convnext.Unfreeze(1);
        convnext.train();
        Assert.Equal(convnext.LayerGroups[^1].Parameters().Sum(p => p.numel()), convnext.TrainableParameterCount);
        foreach (var (name, parameter) in convnext.named_parameters())
        {
            bool trainable = name.StartsWith("features.4.", StringComparison.Ordinal) || name.StartsWith("features.5.", StringComparison.Ordinal)
                || name.StartsWith("classifier.0.", StringComparison.Ordinal);
            Assert.True(parameter.requires_grad == trainable, $"{name}: requires_grad {parameter.requires_grad}");
        }

        convnext.Unfreeze(3);
        Assert.Equal(convnext.ParameterCount - convnext.LayerGroups[0].Parameters().Sum(p => p.numel()), convnext.TrainableParameterCount);
        Assert.All(convnext.LayerGroups[0].Parameters(), p => Assert.False(p.requires_grad));
        convnext.Unfreeze();
        Assert.Equal(convnext.ParameterCount, convnext.TrainableParameterCount);
    }

    [Fact]
    public void Stochastic_depth_grows_linearly_to_the_last_block_and_drops_whole_rows_only_in_training_mode()
    {
        using var convnext = ConvNeXtTestModels.Backbone(stochasticDepth: 0.3);
        Assert.Equal(new[] { 0.0, 0.1, 0.2, 0.3 }, convnext.Trunk.BlockStochasticDepthProbabilities.Select(p => Math.Round(p, 12)));
        using (var plain = ConvNeXtTestModels.Backbone()) Assert.All(plain.Trunk.BlockStochasticDepthProbabilities, p => Assert.Equal(0.0, p));
        using (var tiny = new ConvNeXtFeatures(ConvNeXt.GetBlockConfigs(ConvNeXtVariant.Tiny).Take(1).ToArray(), 0.5))
            Assert.Equal(new[] { 0.0, 0.25, 0.5 }, tiny.BlockStochasticDepthProbabilities);

        // One block at p = 0.5 with a layer scale of 1: each image's branch is either dropped (output = input) or doubled.
        var block = convnext.Trunk.Stages[2].named_children().Single(c => c.name == "0").module;
        Assert.Equal(0.3, ((ConvNeXtBlock)block).StochasticDepthProbability, 12);
        using var half = TransferLearning.Backbones.ModuleTensors.Build(() => new ConvNeXtBlock(8, 1.0, 0.5));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        manual_seed(11);
        var x = randn(400, 8, 5, 5);
        half.eval();
        var branch = half.forward(x) - x;
        Assert.True(half.forward(x).equal(x + branch).all().item<bool>(), "inference mode is deterministic");
        half.train();
        var trained = half.forward(x);
        // Per image: the largest distance to "dropped" (x) and to "kept and scaled by 1 / (1 - p)" (x + 2 branch).
        var toDropped = (trained - x).abs().flatten(1).amax(new long[] { 1 });
        var toKept = (trained - (x + 2 * branch)).abs().flatten(1).amax(new long[] { 1 });
        var dropped = toDropped.lt(1e-5);
        var kept = toKept.lt(1e-4);
        Assert.True(dropped.logical_xor(kept).all().item<bool>(), "each image's branch is dropped whole or kept whole and doubled");
        long droppedCount = dropped.sum().item<long>();
        Assert.InRange(droppedCount, 160, 240); // Binomial(400, 0.5): mean 200, sd 10
    }

    [Fact]
    public void The_catalog_names_torchvisions_files_addresses_and_hash_prefixes()
    {
        var expected = new (ConvNeXtVariant, string, string)[]
        {
            (ConvNeXtVariant.Tiny, "convnext_tiny-983f1562.pth", "convnext_tiny"),
            (ConvNeXtVariant.Small, "convnext_small-0c510722.pth", "convnext_small"),
            (ConvNeXtVariant.Base, "convnext_base-6075fbad.pth", "convnext_base"),
            (ConvNeXtVariant.Large, "convnext_large-ea097f82.pth", "convnext_large"),
        };
        foreach (var (variant, file, name) in expected)
        {
            var entry = ConvNeXt.GetImageNetWeights(variant);
            Assert.Equal(file, entry.FileName);
            Assert.Equal("https://download.pytorch.org/models/" + file, entry.Uri.ToString());
            Assert.Equal(file.Split('-', '.')[1], entry.Sha256);
            Assert.Equal($"{name}-imagenet1k-v1", entry.Name);
            Assert.Equal(name, ConvNeXt.Name(variant));
        }
        Assert.Same(ConvNeXt.ConvNeXtTinyImageNet1KV1, ConvNeXt.GetImageNetWeights(ConvNeXtVariant.Tiny));
        Assert.Equal(new[] { 0.1, 0.4, 0.5, 0.5 }, Enum.GetValues<ConvNeXtVariant>().Select(ConvNeXt.DefaultStochasticDepthProbability));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvNeXt.GetImageNetWeights((ConvNeXtVariant)9));
    }

    [Fact]
    public void Options_are_validated_with_the_bad_value_and_copied()
    {
        var e = Assert.Throws<ArgumentException>(() => ConvNeXt.Create(new ConvNeXtOptions { Weights = TorchVisionWeights.File }));
        Assert.Contains("WeightsFile", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvNeXt.Create(new ConvNeXtOptions { Weights = TorchVisionWeights.None, WeightsFile = "x.pth" }));
        Assert.Contains("x.pth", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvNeXt.Create(new ConvNeXtOptions { BlockConfigs = ConvNeXtTestModels.SmallConfig }));
        Assert.Contains("ImageNet", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvNeXt.Create(new ConvNeXtOptions
        {
            Weights = TorchVisionWeights.None, BlockConfigs = new ConvNeXtBlockConfig[] { new(32, 64, 1), new(48, null, 1) },
        }));
        Assert.Contains("BlockConfigs[1].InputChannels is 48", e.Message);
        Assert.Contains("64", e.Message);
        Assert.Throws<ArgumentException>(() => ConvNeXt.Create(new ConvNeXtOptions { Weights = TorchVisionWeights.None, BlockConfigs = Array.Empty<ConvNeXtBlockConfig>() }));
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => ConvNeXt.Create(new ConvNeXtOptions { Weights = TorchVisionWeights.None, StochasticDepthProbability = 1.5 }));
        Assert.Contains("1.5", range.Message);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => ConvNeXt.Create(new ConvNeXtOptions { Weights = TorchVisionWeights.None, Variant = (ConvNeXtVariant)42 }));
        Assert.Contains("42", range.Message);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => ConvNeXt.Create(new ConvNeXtOptions { Weights = TorchVisionWeights.None, LayerScale = double.NaN }));
        Assert.Contains("NaN", range.Message);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => new ConvNeXtBlockConfig(0, 8, 1));
        Assert.Contains("0", range.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvNeXtBlockConfig(8, 8, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvNeXtBlockConfig(8, -1, 1));
        Assert.Throws<FileNotFoundException>(() => ConvNeXt.Create(new ConvNeXtOptions { BlockConfigs = ConvNeXtTestModels.SmallConfig, Weights = TorchVisionWeights.File, WeightsFile = "/nonexistent/convnext.pth" }));

        // Copied: changing the options (or the caller's list) after creation changes nothing.
        var configs = new List<ConvNeXtBlockConfig>(ConvNeXtTestModels.SmallConfig);
        var options = new ConvNeXtOptions { BlockConfigs = configs, Weights = TorchVisionWeights.None, StochasticDepthProbability = 0.2, LayerScale = 0.5 };
        using var convnext = ConvNeXt.Create(options);
        configs[2] = new ConvNeXtBlockConfig(128, null, 5);
        options.StochasticDepthProbability = 0.9;
        Assert.Equal(ConvNeXtTestModels.SmallConfig, convnext.Trunk.BlockConfigs);
        Assert.Equal(0.2, convnext.Trunk.StochasticDepthProbability);
        using var scope = NewDisposeScope();
        Assert.True(convnext.state_dict()["features.5.0.layer_scale"].eq(0.5f).all().item<bool>());
    }

    [Fact]
    public void Torchvisions_initialisation_truncated_normal_weights_zero_biases_unit_norms()
    {
        using var convnext = ConvNeXtTestModels.Backbone();
        using var scope = NewDisposeScope();
        var state = convnext.state_dict();
        var w = state["features.5.0.block.3.weight"]; // 512 x 128
        Assert.InRange(w.std().item<float>(), 0.018, 0.022);
        Assert.True(w.abs().max().item<float>() <= 2.0f);
        Assert.True(state["features.5.0.block.3.bias"].eq(0).all().item<bool>());
        Assert.True(state["features.2.1.bias"].eq(0).all().item<bool>());
        Assert.True(state["features.2.0.weight"].eq(1).all().item<bool>());
        Assert.True(state["classifier.0.bias"].eq(0).all().item<bool>());
        Assert.True(state["features.1.0.layer_scale"].eq(1e-6f).all().item<bool>());
        Assert.Equal(new long[] { 32, 1, 1 }, state["features.1.0.layer_scale"].shape);
    }
}
