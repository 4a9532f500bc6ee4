using TorchSharp.Modules;
using TransferLearning.Backbones;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

public sealed class Vgg16Tests
{
    private static readonly int[] ConvIndices = { 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28 };
    private static readonly int[] ConvChannels = { 64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512 };

    internal static Vgg16Backbone Random(bool includeTop = false, PoolingMode pooling = PoolingMode.GlobalAverage,
        Vgg16Preprocessing preprocessing = Vgg16Preprocessing.ImageNet) =>
        Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.None, IncludeTop = includeTop, Pooling = pooling, Preprocessing = preprocessing });

    [Fact]
    public void Without_the_top_it_has_torchvisions_feature_keys_shapes_and_count()
    {
        using var vgg = Random();
        var parameters = vgg.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        var expected = new List<string>();
        int inChannels = 3;
        for (int i = 0; i < ConvIndices.Length; i++)
        {
            expected.Add($"features.{ConvIndices[i]}.weight");
            expected.Add($"features.{ConvIndices[i]}.bias");
            Assert.Equal(new long[] { ConvChannels[i], inChannels, 3, 3 }, parameters[$"features.{ConvIndices[i]}.weight"]);
            Assert.Equal(new long[] { ConvChannels[i] }, parameters[$"features.{ConvIndices[i]}.bias"]);
            inChannels = ConvChannels[i];
        }
        Assert.Equal(expected, vgg.state_dict().Keys);
        Assert.Equal(Vgg16Backbone.FeaturesParameterCount, vgg.ParameterCount);
        Assert.Equal(14_714_688, vgg.ParameterCount);
        Assert.False(vgg.IncludeTop);
        Assert.Null(vgg.Classifier);
        Assert.Equal("vgg16", vgg.Name);
        Assert.Equal(512, vgg.OutputChannels);
    }

    [Fact]
    public void With_the_top_it_adds_torchvisions_classifier_keys_and_predicts_1000_classes()
    {
        using var vgg = Random(includeTop: true);
        var shapes = vgg.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal(32, shapes.Count);
        Assert.Equal(new long[] { 4096, 25088 }, shapes["classifier.0.weight"]);
        Assert.Equal(new long[] { 4096 }, shapes["classifier.0.bias"]);
        Assert.Equal(new long[] { 4096, 4096 }, shapes["classifier.3.weight"]);
        Assert.Equal(new long[] { 1000, 4096 }, shapes["classifier.6.weight"]);
        Assert.Equal(new long[] { 1000 }, shapes["classifier.6.bias"]);
        Assert.Equal(138_357_544, vgg.ParameterCount);
        Assert.Equal(Vgg16Backbone.FullParameterCount, vgg.ParameterCount);
        Assert.Equal(new[] { "block1", "block2", "block3", "block4", "block5", "top" }, vgg.LayerGroups.Select(g => g.Name));

        vgg.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var logits = vgg.PredictLogits(rand(1, 3, 32, 32) * 255);
        Assert.Equal(new long[] { 1, 1000 }, logits.shape);
        Assert.Equal(new long[] { 1, 512 }, vgg.forward(rand(1, 3, 32, 32) * 255).shape);
    }

    [Fact]
    public void Its_five_layer_groups_split_after_each_max_pool()
    {
        using var vgg = Random();
        Assert.Equal(new[] { "block1", "block2", "block3", "block4", "block5" }, vgg.LayerGroups.Select(g => g.Name));
        Assert.Equal(new[] { 5, 5, 7, 7, 7 }, vgg.LayerGroups.Select(g => g.Modules.Count));
        Assert.All(vgg.LayerGroups, g => Assert.IsType<MaxPool2d>(g.Modules[^1]));
        Assert.Equal(new[] { 2, 2, 3, 3, 3 }, vgg.LayerGroups.Select(g => g.Modules.OfType<Conv2d>().Count()));
        Assert.Equal(vgg.ParameterCount, vgg.LayerGroups.Sum(g => g.Parameters().Sum(p => p.numel())));
    }

    [Fact]
    public void Freeze_and_unfreeze_change_requires_grad_by_block()
    {
        using var vgg = Random();
        vgg.Freeze();
        Assert.True(vgg.IsFrozen);
        Assert.Equal(0, vgg.TrainableParameterCount);
        Assert.All(vgg.parameters(), p => Assert.False(p.requires_grad));

        vgg.Unfreeze(lastBlocks: 1);
        // block5: three 512->512 convolutions
        Assert.Equal(3 * (512 * 512 * 9 + 512), vgg.TrainableParameterCount);
        var trainable = vgg.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToArray();
        Assert.Equal(new[] { "features.24.weight", "features.24.bias", "features.26.weight", "features.26.bias", "features.28.weight", "features.28.bias" }, trainable);

        vgg.Unfreeze();
        Assert.Equal(Vgg16Backbone.FeaturesParameterCount, vgg.TrainableParameterCount);
    }

    [Fact]
    public void A_model_with_the_top_freezes_the_classifier_as_its_last_group()
    {
        using var vgg = Random(includeTop: true);
        vgg.Freeze();
        vgg.Unfreeze(lastBlocks: 1);
        Assert.Equal(Vgg16Backbone.FullParameterCount - Vgg16Backbone.FeaturesParameterCount, vgg.TrainableParameterCount);
        Assert.All(vgg.Classifier!.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void Predictions_need_the_top()
    {
        using var vgg = Random();
        using var images = zeros(1, 3, 32, 32);
        var e = Assert.Throws<InvalidOperationException>(() => vgg.PredictLogits(images));
        Assert.Contains("IncludeTop", e.Message);
    }

    [Theory]
    [InlineData(Vgg16Preprocessing.ImageNet, "imagenet")]
    [InlineData(Vgg16Preprocessing.Caffe, "caffe")]
    [InlineData(Vgg16Preprocessing.Identity, "identity")]
    public void The_preprocessing_is_chosen_by_the_options_and_stays_out_of_the_state_dict(Vgg16Preprocessing choice, string name)
    {
        using var vgg = Random(preprocessing: choice);
        Assert.Equal(name, vgg.Preprocessing.Name);
        Assert.DoesNotContain(vgg.state_dict().Keys, k => k.StartsWith("preprocessing", StringComparison.Ordinal));
    }

    [Fact]
    public void Caffe_preprocessing_swaps_to_BGR_and_subtracts_the_means()
    {
        using var vgg = Random(preprocessing: Vgg16Preprocessing.Caffe);
        using var scope = NewDisposeScope();
        var rgb = tensor(new float[] { 10, 20, 30 }, new long[] { 1, 3, 1, 1 });
        var result = vgg.Preprocessing.forward(rgb).flatten().data<float>().ToArray();
        Assert.Equal(30 - 103.939f, result[0], 4);
        Assert.Equal(20 - 116.779f, result[1], 4);
        Assert.Equal(10 - 123.68f, result[2], 4);
    }

    [Theory]
    [InlineData(PoolingMode.GlobalAverage)]
    [InlineData(PoolingMode.GlobalMax)]
    public void Pooling_is_chosen_by_the_options(PoolingMode pooling)
    {
        using var vgg = Random(pooling: pooling);
        vgg.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var images = rand(2, 3, 64, 64) * 255;
        var map = vgg.ExtractFeatureMap(images);
        Assert.Equal(new long[] { 2, 512, 2, 2 }, map.shape);
        var expected = pooling == PoolingMode.GlobalMax ? map.amax(new long[] { 2, 3 }) : map.mean(new long[] { 2, 3 });
        Assert.True(vgg.forward(images).allclose(expected));
    }

    [Fact]
    public void The_options_are_validated_and_copied()
    {
        var e = Assert.Throws<ArgumentException>(() => Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.File }));
        Assert.Equal("WeightsFile", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.None, WeightsFile = "x.pth" }));
        Assert.Contains("'x.pth'", e.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.None, Pooling = (PoolingMode)42 }));
        Assert.Contains("42", range.Message);

        var options = new Vgg16Options { Weights = Vgg16Weights.None, Pooling = PoolingMode.GlobalMax };
        using var vgg = Vgg16.Create(options);
        options.Pooling = PoolingMode.GlobalAverage;
        Assert.Equal(PoolingMode.GlobalMax, vgg.Pooling);
    }

    [Fact]
    public void ImageNet_weights_offline_with_an_empty_cache_fail_with_the_expected_path()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tl-vgg-offline-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<FileNotFoundException>(() => Vgg16.Create(new Vgg16Options
        {
            Weights = Vgg16Weights.ImageNet,
            Cache = new WeightsCacheOptions { CacheDirectory = dir, Offline = true },
        }));
        Assert.Contains(Path.Combine(dir, "vgg16-397923af.pth"), e.Message);
        Assert.Contains("offline mode is on", e.Message);
        Assert.False(Directory.Exists(dir));
    }
}
