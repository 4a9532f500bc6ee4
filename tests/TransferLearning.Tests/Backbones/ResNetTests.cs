using System.Text.Json;
using TorchSharp.Modules;
using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>Structure of the native ResNets: torchvision's keys and shapes, parameter counts, layer groups, options and weights catalog.</summary>
public sealed class ResNetTests
{
    internal static ResNetBackbone Random(ResNetVariant variant, PoolingMode pooling = PoolingMode.GlobalAverage) =>
        ResNet.Create(new ResNetOptions { Variant = variant, Weights = TorchVisionWeights.None, Pooling = pooling });

    [Fact]
    public void ResNet50s_trunk_has_exactly_torchvisions_keys_shapes_and_dtypes_less_fc()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path("onnx-torchvision", "keys", "resnet50.json")));
        var expected = json.RootElement.GetProperty("state_dict").EnumerateArray()
            .Select(e => (Key: e.GetProperty("key").GetString()!, Shape: e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                          DType: e.GetProperty("dtype").GetString()!))
            .Where(e => !e.Key.StartsWith("fc.", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(318, expected.Count);

        using var resnet = Random(ResNetVariant.ResNet50);
        // TorchSharp lists a tree's parameters before its buffers, torchvision module by module: the same entries, another order.
        var actual = resnet.Trunk.state_dict().ToDictionary(kv => kv.Key, kv => (Shape: kv.Value.shape,
            DType: kv.Value.dtype switch { ScalarType.Int64 => "int64", ScalarType.Float32 => "float32", var t => t.ToString() }));
        Assert.Equal(expected.Select(e => e.Key).Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, shape, dtype) in expected)
        {
            Assert.True(shape.SequenceEqual(actual[key].Shape), $"{key}: torchvision [{string.Join(", ", shape)}], native [{string.Join(", ", actual[key].Shape)}]");
            Assert.Equal(dtype, actual[key].DType);
        }
        // Parameters alone do come in torchvision's order (module by module, as registered).
        Assert.Equal(expected.Where(e => !e.Key.EndsWith("running_mean") && !e.Key.EndsWith("running_var") && !e.Key.EndsWith("num_batches_tracked")).Select(e => e.Key),
            resnet.Trunk.named_parameters().Select(p => p.name));
        long fcParameters = 2048 * 1000 + 1000;
        Assert.Equal(json.RootElement.GetProperty("parameters").GetInt64() - fcParameters, resnet.ParameterCount);
        Assert.Equal(ResNetBackbone.FeaturesParameterCount(ResNetVariant.ResNet50), resnet.ParameterCount);
        Assert.Equal(2048, resnet.OutputChannels);
        Assert.Equal("resnet50", resnet.Name);
    }

    [Fact]
    public void ResNet18_has_the_hand_counted_keys_and_parameters()
    {
        // 20 convolutions (conv1, 2 x 8 in the blocks, 3 downsample.0), each followed by a batch norm (5 state-dict entries:
        // weight, bias, running_mean, running_var, num_batches_tracked): 20 + 100 = 120 keys, 20 + 40 = 60 parameters.
        // Values: conv1 64*3*7*7 = 9,408; layer1 4 x 64*64*9 = 147,456; layer2 128*64*9 + 3 x 128*128*9 + 128*64 = 524,288;
        // layer3 256*128*9 + 3 x 256*256*9 + 256*128 = 2,097,152; layer4 512*256*9 + 3 x 512*512*9 + 512*256 = 8,388,608;
        // batch norms 2 x (64 + 4*64 + 5*128 + 5*256 + 5*512) = 9,600. Sum: 11,176,512 (torchvision's 11,689,512 less fc's 513,000).
        using var resnet = Random(ResNetVariant.ResNet18);
        var state = resnet.Trunk.state_dict();
        Assert.Equal(120, state.Count);
        Assert.Equal(20, state.Keys.Count(k => k.EndsWith("num_batches_tracked", StringComparison.Ordinal)));
        Assert.Equal(60, resnet.parameters().Count());
        Assert.Equal(20, resnet.modules().OfType<Conv2d>().Count());
        Assert.Equal(3, state.Keys.Count(k => k.EndsWith("downsample.0.weight", StringComparison.Ordinal)));
        Assert.Equal(new long[] { 64, 3, 7, 7 }, state["conv1.weight"].shape);
        Assert.Equal(new long[] { 128, 64, 1, 1 }, state["layer2.0.downsample.0.weight"].shape);
        Assert.Equal(new long[] { 512, 512, 3, 3 }, state["layer4.1.conv2.weight"].shape);
        Assert.DoesNotContain("layer1.0.downsample.0.weight", state.Keys);
        Assert.Equal(11_176_512, resnet.ParameterCount);
        Assert.Equal(ResNetBackbone.FeaturesParameterCount(ResNetVariant.ResNet18), resnet.ParameterCount);
        Assert.Equal(512, resnet.OutputChannels);
    }

    [Theory]
    [InlineData(ResNetVariant.ResNet34, 216, 512)]
    [InlineData(ResNetVariant.ResNet101, 624, 2048)]
    public void ResNet34_and_101_have_torchvisions_key_and_parameter_counts(ResNetVariant variant, int keys, int channels)
    {
        using var resnet = Random(variant);
        Assert.Equal(keys, resnet.Trunk.state_dict().Count);
        Assert.Equal(ResNetBackbone.FeaturesParameterCount(variant), resnet.ParameterCount);
        Assert.Equal(channels, resnet.OutputChannels);
        Assert.Equal(ResNet.Name(variant), resnet.Name);
    }

    [Fact]
    public void The_backbone_pools_to_the_feature_length_and_maps_at_a_32nd_of_the_size()
    {
        using var resnet = Random(ResNetVariant.ResNet18);
        resnet.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var images = rand(2, 3, 64, 96) * 255;
        Assert.Equal(new long[] { 2, 512, 2, 3 }, resnet.ExtractFeatureMap(images).shape);
        Assert.Equal(new long[] { 2, 512 }, resnet.forward(images).shape);
        Assert.Equal("imagenet", resnet.Preprocessing.Name);
    }

    [Fact]
    public void Layer_groups_are_the_stem_and_the_four_layers_and_cover_every_parameter()
    {
        using var resnet = Random(ResNetVariant.ResNet18);
        Assert.Equal(new[] { "stem", "layer1", "layer2", "layer3", "layer4" }, resnet.LayerGroups.Select(g => g.Name));
        Assert.Equal(3, resnet.LayerGroups[0].Parameters().Count()); // conv1.weight (no bias), bn1.weight, bn1.bias
        Assert.Equal(resnet.ParameterCount, resnet.LayerGroups.Sum(g => g.Parameters().Sum(p => p.numel())));
    }

    [Fact]
    public void Unfreezing_the_last_two_groups_trains_layer3_and_layer4_only_and_keeps_frozen_batch_norms_in_inference_mode()
    {
        using var resnet = Random(ResNetVariant.ResNet18);
        resnet.Freeze();
        Assert.True(resnet.IsFrozen);
        Assert.Equal(0, resnet.TrainableParameterCount);

        resnet.Unfreeze(2);
        resnet.train();
        var groups = resnet.LayerGroups;
        Assert.Equal(groups[3].Parameters().Sum(p => p.numel()) + groups[4].Parameters().Sum(p => p.numel()), resnet.TrainableParameterCount);
        foreach (var (name, parameter) in resnet.Trunk.named_parameters())
        {
            bool trainable = name.StartsWith("layer3.", StringComparison.Ordinal) || name.StartsWith("layer4.", StringComparison.Ordinal);
            Assert.True(parameter.requires_grad == trainable, $"{name}: requires_grad {parameter.requires_grad}");
        }
        foreach (var (name, module) in resnet.Trunk.named_modules().Where(m => m.module is BatchNorm2d))
        {
            bool trainable = name.StartsWith("layer3.", StringComparison.Ordinal) || name.StartsWith("layer4.", StringComparison.Ordinal);
            Assert.True(module.training == trainable, $"{name}: training {module.training}");
        }

        resnet.Unfreeze();
        Assert.Equal(resnet.ParameterCount, resnet.TrainableParameterCount);
        Assert.All(resnet.Trunk.modules().OfType<BatchNorm2d>(), bn => Assert.True(bn.training));
    }

    [Fact]
    public void A_frozen_backbone_in_training_mode_leaves_its_batch_norm_statistics_alone()
    {
        using var resnet = ResNetTestModels.Backbone("resnet18_narrow");
        resnet.Freeze();
        resnet.train();
        using var scope = NewDisposeScope();
        var before = resnet.Trunk.state_dict()["layer2.0.bn1.running_mean"].clone();
        using (no_grad()) resnet.forward(rand(2, 3, 64, 64) * 255);
        Assert.True(before.equal(resnet.Trunk.state_dict()["layer2.0.bn1.running_mean"]).all().item<bool>());
    }

    [Fact]
    public void The_catalog_names_torchvisions_files_addresses_and_hash_prefixes()
    {
        var expected = new (ResNetVariant, TorchVisionWeights, string)[]
        {
            (ResNetVariant.ResNet18, TorchVisionWeights.ImageNet, "resnet18-f37072fd.pth"),
            (ResNetVariant.ResNet18, TorchVisionWeights.ImageNetV1, "resnet18-f37072fd.pth"),
            (ResNetVariant.ResNet34, TorchVisionWeights.ImageNet, "resnet34-b627a593.pth"),
            (ResNetVariant.ResNet50, TorchVisionWeights.ImageNet, "resnet50-11ad3fa6.pth"),
            (ResNetVariant.ResNet50, TorchVisionWeights.ImageNetV1, "resnet50-0676ba61.pth"),
            (ResNetVariant.ResNet101, TorchVisionWeights.ImageNet, "resnet101-cd907fc2.pth"),
            (ResNetVariant.ResNet101, TorchVisionWeights.ImageNetV1, "resnet101-63fe2227.pth"),
        };
        foreach (var (variant, weights, file) in expected)
        {
            var entry = ResNet.GetImageNetWeights(variant, weights);
            Assert.Equal(file, entry.FileName);
            Assert.Equal("https://download.pytorch.org/models/" + file, entry.Uri.ToString());
            Assert.Equal(file.Split('-', '.')[1], entry.Sha256);
        }
        Assert.Throws<ArgumentException>(() => ResNet.GetImageNetWeights(ResNetVariant.ResNet18, TorchVisionWeights.None));
    }

    [Fact]
    public void Options_are_validated_with_the_bad_value_and_copied()
    {
        var e = Assert.Throws<ArgumentException>(() => ResNet.Create(new ResNetOptions { Weights = TorchVisionWeights.File }));
        Assert.Contains("WeightsFile", e.Message);
        e = Assert.Throws<ArgumentException>(() => ResNet.Create(new ResNetOptions { Weights = TorchVisionWeights.None, WeightsFile = "x.pth" }));
        Assert.Contains("x.pth", e.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => ResNet.Create(new ResNetOptions { Weights = TorchVisionWeights.None, Variant = (ResNetVariant)42 }));
        Assert.Contains("42", range.Message);
        Assert.Throws<FileNotFoundException>(() => ResNet.Create(new ResNetOptions { Variant = ResNetVariant.ResNet18, Weights = TorchVisionWeights.File, WeightsFile = "/nonexistent/resnet18.pth" }));
        Assert.Throws<ArgumentException>(() => new ResNetFeatures(ResNetBlockKind.Basic, new[] { 2, 2, 2 }));
        Assert.Throws<ArgumentException>(() => new ResNetFeatures(ResNetBlockKind.Basic, new[] { 2, 0, 2, 2 }));
    }
}
