using Google.Protobuf;
using Xunit.Abstractions;
using TransferLearning.Backbones;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Backbones.Onnx.Proto;
using static TorchSharp.torch;
using static TransferLearning.Tests.Backbones.Onnx.OnnxTestModels;

namespace TransferLearning.Tests.Backbones.Onnx;

/// <summary>The ImageNet ResNet18 of the Microsoft.ML.DnnImageFeaturizer.ResNet18 package, against ONNX Runtime.</summary>
public sealed class OnnxResNet18Tests : IClassFixture<OnnxResNet18Tests.PackageBackbone>
{
    private readonly ITestOutputHelper _output;
    private readonly PackageBackbone _shared;

    public OnnxResNet18Tests(ITestOutputHelper output, PackageBackbone shared)
    {
        _output = output;
        _shared = shared;
    }

    /// <summary>One default-options backbone for the tests that only read it (loading takes seconds).</summary>
    public sealed class PackageBackbone : IDisposable
    {
        public PretrainedBackbone Backbone { get; } = OnnxBackbone.ResNet18FromPackage();

        public void Dispose() => Backbone.Dispose();
    }

    private static string ModelPath => Path.Combine(AppContext.BaseDirectory, OnnxBackbone.ResNet18RelativePath);

    private static string PrepPath => Path.Combine(AppContext.BaseDirectory, OnnxBackbone.ResNet18PreprocessRelativePath);

    private static readonly Lazy<ModelProto> Model = new(() => ModelProto.Parser.ParseFrom(File.ReadAllBytes(ModelPath)));

    /// <summary>The same file with a symbolic N x 3 x H x W input and the feature map as output, so ORT accepts other sizes.</summary>
    private static ModelProto DynamicFeatureModel()
    {
        var model = Model.Value.Clone();
        var dims = model.Graph.Input[0].Type.TensorType.Shape.Dim;
        dims[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
        dims[2] = new TensorShapeProto.Types.Dimension { DimParam = "H" };
        dims[3] = new TensorShapeProto.Types.Dimension { DimParam = "W" };
        model.Graph.ValueInfo.Clear();
        Assert.Equal("AveragePool", model.Graph.Node[^1].OpType);
        model.Graph.Node.RemoveAt(model.Graph.Node.Count - 1);
        model.Graph.Output.Clear();
        model.Graph.Output.Add(Value("ReLU393_Output_0", null));
        return model;
    }

    [Fact]
    public void The_full_graph_at_224_matches_onnx_runtime()
    {
        long[] shape = { 1, 3, 224, 224 };
        var input = RandomInput(shape, seed: 1, scale: 120f);
        var expected = RunOrt(Model.Value, input, shape, "Pooling395_Output_0");
        var actual = RunImported(Model.Value, input, shape, "Pooling395_Output_0");
        Assert.Equal(new long[] { 1, 512, 1, 1 }, actual.Shape);
        double diff = RelativeMaxDiff(actual.Data, expected.Data);
        Assert.True(diff <= 1e-3, $"max abs diff relative to the output scale is {diff:E3}.");
    }

    [Fact]
    public void The_default_feature_map_matches_onnx_runtime_at_64_with_a_batch_of_two()
    {
        long[] shape = { 2, 3, 64, 64 };
        var input = RandomInput(shape, seed: 2, scale: 120f);
        var expected = RunOrt(DynamicFeatureModel(), input, shape, "ReLU393_Output_0");
        var actual = RunImported(Model.Value, input, shape, output: null);
        Assert.Equal(new long[] { 2, 512, 2, 2 }, actual.Shape);
        double diff = RelativeMaxDiff(actual.Data, expected.Data);
        Assert.True(diff <= 1e-3, $"max abs diff relative to the output scale is {diff:E3}.");
    }

    [Fact]
    public void The_package_backbone_matches_the_packages_preprocessing_and_model_in_onnx_runtime()
    {
        long[] shape = { 1, 3, 224, 224 };
        var random = new Random(3);
        var rgb = Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)random.Next(256)).ToArray();
        var prep = ModelProto.Parser.ParseFrom(File.ReadAllBytes(PrepPath));
        var preprocessed = RunOrt(prep, rgb, shape, "PreprocessedInput").Data;
        var expected = RunOrt(Model.Value, preprocessed, shape, "Pooling395_Output_0").Data;

        // Default: per-channel means in Preprocessing, the mean image's per-pixel rest inside the features: exact at 224.
        double exact = BackboneDiff(_shared.Backbone, rgb, shape, expected);
        _output.WriteLine($"ExactMeanImage = true: max abs diff / output scale = {exact:E3}");
        Assert.True(exact <= 1e-3, $"max abs diff relative to the output scale is {exact:E3}.");

        // Per-channel means only: the documented approximation, measured here.
        using var perChannelBackbone = OnnxBackbone.ResNet18FromPackage(new OnnxImportOptions { ExactMeanImage = false });
        Assert.DoesNotContain(perChannelBackbone.named_buffers(), b => b.name == "features.input_offset");
        double perChannel = BackboneDiff(perChannelBackbone, rgb, shape, expected);
        _output.WriteLine($"ExactMeanImage = false: max abs diff / output scale = {perChannel:E3}");
        Assert.True(perChannel > exact, "the per-channel reduction should differ from the exact mean image.");
        Assert.True(perChannel <= 0.1, $"per-channel means vs the exact mean image: max abs diff relative to the output scale is {perChannel:E3}.");
    }

    private static double BackboneDiff(PretrainedBackbone backbone, float[] rgb, long[] shape, float[] expected)
    {
        backbone.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return RelativeMaxDiff(backbone.forward(tensor(rgb, shape)).data<float>().ToArray(), expected);
    }

    [Fact]
    public void The_package_backbone_runs_at_64_pixels_with_the_mean_image_resized()
    {
        var backbone = _shared.Backbone;
        backbone.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var features = backbone.forward(rand(2, 3, 64, 64) * 255);
        Assert.Equal(new long[] { 2, 512 }, features.shape);
        Assert.True(features.isfinite().all().item<bool>());
        Assert.Contains(backbone.named_buffers(), b => b.name == "features.input_offset");
    }

    [Fact]
    public void A_size_the_fixed_padding_cannot_take_names_the_node_and_shapes()
    {
        // 112 = 7 x 16: the CNTK export's fixed asymmetric pads make the residual branches disagree at 7 -> 3 vs 4.
        var backbone = _shared.Backbone;
        backbone.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var error = Assert.Throws<InvalidOperationException>(() => backbone.forward(rand(1, 3, 112, 112) * 255));
        _output.WriteLine(error.Message);
        Assert.Contains("ONNX node '", error.Message);
        Assert.Contains("[1, 3, 112, 112]", error.Message);
        Assert.Contains("multiples of 32", error.Message);
    }

    [Fact]
    public void The_package_backbone_has_resnet18s_structure_and_preprocessing()
    {
        var backbone = _shared.Backbone;
        Assert.Equal("resnet18", backbone.Name);
        Assert.Equal(512, backbone.OutputChannels);
        // This CNTK export has 22 convolutions: the stem, 9 residual blocks (one more than torchvision's resnet18 in
        // the last stage) and 3 projection shortcuts. Groups: the stem and each residual block.
        Assert.Equal(10, backbone.LayerGroups.Count);
        Assert.Equal(new[] { "Convolution249", "Convolution257", "Convolution271", "Convolution295", "Convolution303" },
            backbone.LayerGroups.Take(5).Select(g => g.Name.Split(':')[1]));
        Assert.Equal(22, Model.Value.Graph.Node.Count(n => n.OpType == "Conv"));
        Assert.Equal(22, backbone.modules().OfType<TorchSharp.Modules.BatchNorm2d>().Count());
        // Parameters: every conv weight, BN scale and bias (CNTK names them Parameter*); running statistics (Constant*) are buffers.
        long expected = Model.Value.Graph.Initializer.Where(i => i.Name.StartsWith("Parameter", StringComparison.Ordinal)).Sum(i => i.Dims.Aggregate(1L, (a, b) => a * b));
        Assert.Equal(expected, backbone.ParameterCount);
        Assert.Equal(22 * 2, backbone.named_buffers().Count(b => b.name.EndsWith("running_mean", StringComparison.Ordinal) || b.name.EndsWith("running_var", StringComparison.Ordinal)));
        Assert.Equal(ChannelOrder.Bgr, backbone.Preprocessing.ChannelOrder);
        Assert.All(backbone.Preprocessing.Std, s => Assert.Equal(1f, s));
        Assert.All(backbone.Preprocessing.Mean, m => Assert.InRange(m, 90f, 140f));
    }

    [Fact]
    public void Fine_tuning_changes_unfrozen_weights_and_leaves_frozen_groups_bitwise_unchanged()
    {
        using var backbone = OnnxBackbone.ResNet18FromPackage();
        backbone.Unfreeze(1);
        backbone.train();
        // Parameters and running statistics of the frozen groups (the last group is trained).
        var frozen = backbone.LayerGroups.Take(8).SelectMany(g => g.Modules).SelectMany(m => m.state_dict()).Select(kv => (kv.Key, Value: kv.Value.clone())).ToArray();
        Assert.Contains(frozen, f => f.Key.EndsWith("running_mean", StringComparison.Ordinal));
        var trainable = backbone.LayerGroups[^1].Parameters().Select(p => (Param: p, Before: p.detach().clone())).ToArray();
        Assert.NotEmpty(trainable);
        Assert.True(backbone.TrainableParameterCount < backbone.ParameterCount);

        using var optimizer = TorchSharp.torch.optim.SGD(backbone.parameters().Where(p => p.requires_grad), 0.1);
        using (var scope = NewDisposeScope())
        {
            var images = rand(2, 3, 64, 64) * 255;
            var loss = backbone.forward(images).pow(2).mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }

        Assert.Contains(trainable, t => !t.Param.eq(t.Before).all().item<bool>());
        var after = backbone.LayerGroups.Take(8).SelectMany(g => g.Modules).SelectMany(m => m.state_dict()).ToArray();
        Assert.Equal(frozen.Length, after.Length);
        for (int i = 0; i < after.Length; i++)
            Assert.True(frozen[i].Value.eq(after[i].Value).all().item<bool>(), $"frozen tensor {after[i].Key} changed.");
    }

    [Fact]
    public void A_missing_package_names_the_package_to_reference()
    {
        var e = Assert.Throws<FileNotFoundException>(() => OnnxBackbone.ResNet18FromPackage(directory: Path.GetTempPath()));
        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18", e.Message);
        Assert.Contains("0.23.1", e.Message);
    }
}
