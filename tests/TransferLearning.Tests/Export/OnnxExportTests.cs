using Microsoft.ML.OnnxRuntime;
using TransferLearning.Backbones;
using TransferLearning.Backbones.Onnx.Proto;
using TransferLearning.Export;
using TransferLearning.Imaging;
using TransferLearning.Tests.Training;
using TransferLearning.Training;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Tests.Export;

/// <summary>The file's shape, metadata, options and errors (on the tiny backbone: fast).</summary>
public sealed class OnnxExportTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tl-export-" + Guid.NewGuid().ToString("N"));

    public OnnxExportTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static TransferTrainer TinyTrainer(PretrainedBackbone backbone, ImageDecodeOptions? decode = null) =>
        new(backbone, TrainingTestData.Classes, new TransferTrainerOptions
        {
            InputSize = decode is null ? (TrainingTestData.Size, TrainingTestData.Size) : null,
            Decode = decode,
        });

    [Fact]
    public void The_metadata_round_trips_through_the_file_and_onnx_runtime_sees_it()
    {
        using var backbone = TrainingTestData.TinyBackbone();
        var decode = new ImageDecodeOptions
        {
            TargetSize = new SkiaSharp.SKSizeI(40, 32),
            Interpolation = Interpolation.Area,
            KeepAspectRatio = true,
            ColorMode = ColorMode.Rgb,
            UseFineScaledDecoding = true,
        };
        using var trainer = TinyTrainer(backbone, decode);
        string path = Path.Combine(_directory, "m.onnx");
        var written = trainer.ExportOnnx(path);

        var read = OnnxModelMetadata.Read(path);
        Assert.Equal(TrainingTestData.Classes, read.ClassNames);
        Assert.Equal((32, 40), (read.Height, read.Width));
        Assert.Equal(trainer.InputContract, read.Decode);
        Assert.Equal(Interpolation.Area, read.Decode.Interpolation);
        Assert.True(read.Decode.KeepAspectRatio);
        Assert.Equal("images", read.InputName);
        Assert.Equal("logits", read.LogitsOutput);
        Assert.Equal("probabilities", read.ProbabilitiesOutput);
        Assert.Equal("tiny", read.Backbone);
        Assert.Equal("imagenet", read.Preprocessing);
        Assert.Equal(17, read.Opset);
        Assert.Equal(new[] { 0f, 255f }, read.InputValueRange);
        Assert.Equal(written.ToJson(), read.ToJson());

        using var session = new InferenceSession(path);
        Assert.Equal(written.ToJson(), session.ModelMetadata.CustomMetadataMap[OnnxModelMetadata.Key]);
        Assert.Contains("\"interpolation\":\"Area\"", session.ModelMetadata.CustomMetadataMap[OnnxModelMetadata.Key]);
        var input = session.InputMetadata["images"];
        Assert.Equal(new[] { -1, 3, 32, 40 }, input.Dimensions);
        Assert.Equal(new[] { "logits", "probabilities" }, session.OutputMetadata.Keys.ToArray());
    }

    [Fact]
    public void Without_probabilities_the_graph_has_only_logits_and_custom_names_are_used()
    {
        using var backbone = TrainingTestData.TinyBackbone();
        using var trainer = TinyTrainer(backbone);
        string path = Path.Combine(_directory, "m.onnx");
        var metadata = trainer.ExportOnnx(path, new OnnxExportOptions { IncludeProbabilities = false, InputName = "pixels", LogitsOutputName = "scores" });
        Assert.Null(metadata.ProbabilitiesOutput);
        using var session = new InferenceSession(path);
        Assert.Equal(new[] { "pixels" }, session.InputMetadata.Keys.ToArray());
        Assert.Equal(new[] { "scores" }, session.OutputMetadata.Keys.ToArray());
        using var scope = NewDisposeScope();
        var images = rand(2, 3, TrainingTestData.Size, TrainingTestData.Size).mul_(255f);
        var outputs = OrtRunner.Run(path, images, "pixels");
        var expected = trainer.Predict(images).SelectMany(p => p.Logits).ToArray();
        Assert.True(OrtRunner.RelativeMaxDiff(outputs["scores"].Data, expected) <= 1e-4);
    }

    [Fact]
    public void An_existing_file_is_replaced_and_no_temporary_file_is_left()
    {
        using var backbone = TrainingTestData.TinyBackbone();
        using var trainer = TinyTrainer(backbone);
        string path = Path.Combine(_directory, "sub", "m.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "old");
        trainer.ExportOnnx(path);
        Assert.NotEqual("old", File.ReadAllText(path).Substring(0, 3));
        Assert.Equal(new[] { path }, Directory.GetFiles(Path.GetDirectoryName(path)!));
        Assert.Equal(TrainingTestData.Classes, OnnxModelMetadata.Read(path).ClassNames);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(18)]
    public void An_opset_outside_13_to_17_is_refused_with_its_value(int opset)
    {
        using var backbone = TrainingTestData.TinyBackbone();
        using var trainer = TinyTrainer(backbone);
        string path = Path.Combine(_directory, "m.onnx");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.ExportOnnx(path, new OnnxExportOptions { Opset = opset }));
        Assert.Contains($"got {opset}", e.Message);
        Assert.Contains("between 13 and 17", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Blank_or_clashing_names_are_refused()
    {
        using var backbone = TrainingTestData.TinyBackbone();
        using var trainer = TinyTrainer(backbone);
        string path = Path.Combine(_directory, "m.onnx");
        var blank = Assert.Throws<ArgumentException>(() => trainer.ExportOnnx(path, new OnnxExportOptions { InputName = " " }));
        Assert.Contains("InputName", blank.Message);
        var clash = Assert.Throws<ArgumentException>(() => trainer.ExportOnnx(path, new OnnxExportOptions { LogitsOutputName = "images" }));
        Assert.Contains("'images'", clash.Message);
        Assert.Throws<ArgumentException>(() => trainer.ExportOnnx(" "));
    }

    [Fact]
    public void An_unknown_input_size_is_refused()
    {
        using var backbone = TrainingTestData.TinyBackbone();
        using var trainer = new TransferTrainer(backbone, TrainingTestData.Classes);
        var e = Assert.Throws<InvalidOperationException>(() => trainer.ExportOnnx(Path.Combine(_directory, "m.onnx")));
        Assert.Contains("InputSize", e.Message);
    }

    [Fact]
    public void A_module_without_an_onnx_form_is_named_and_nothing_is_written()
    {
        var conv = Conv2d(3, 4, 3, padding: 1);
        var features = Sequential(("0", conv), ("1", Softplus()));
        using var backbone = new PretrainedBackbone("custom", features, ImagePreprocessing.ImageNet(), 4, new[] { new LayerGroup("all", new Module[] { conv }) });
        using var trainer = TinyTrainer(backbone);
        string path = Path.Combine(_directory, "m.onnx");
        var e = Assert.Throws<OnnxExportException>(() => trainer.ExportOnnx(path));
        Assert.Contains("'features.1'", e.Message);
        Assert.Contains("type Softplus", e.Message);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void A_tanh_approximated_GELU_is_named_and_refused_since_only_the_exact_one_is_written()
    {
        var conv = Conv2d(3, 4, 3, padding: 1);
        var features = Sequential(("0", conv), ("1", GELU(TorchSharp.Modules.GELU.Approximate.tanh)));
        using var backbone = new PretrainedBackbone("custom", features, ImagePreprocessing.ImageNet(), 4, new[] { new LayerGroup("all", new Module[] { conv }) });
        using var trainer = TinyTrainer(backbone);
        var e = Assert.Throws<OnnxExportException>(() => trainer.ExportOnnx(Path.Combine(_directory, "m.onnx")));
        Assert.Contains("'features.1'", e.Message);
        Assert.Contains("tanh", e.Message);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void The_graph_keeps_the_batch_dynamic_and_the_size_fixed()
    {
        using var backbone = TrainingTestData.TinyBackbone();
        using var trainer = TinyTrainer(backbone);
        string path = Path.Combine(_directory, "m.onnx");
        trainer.ExportOnnx(path);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var dims = model.Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.Equal("batch", dims[0].DimParam);
        Assert.Equal(new long[] { 3, TrainingTestData.Size, TrainingTestData.Size }, dims.Skip(1).Select(d => d.DimValue));
        Assert.Equal(8, model.IrVersion);
        Assert.Equal("TransferLearning", model.ProducerName);
    }
}
