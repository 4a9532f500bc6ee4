using SkiaSharp;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Imaging;
using TransferLearning.OnnxRuntime;
using TransferLearning.Tests.Imaging;
using TransferLearning.Tests.Training;
using TransferLearning.Training;
using TrainerPrediction = TransferLearning.Training.Prediction;

namespace TransferLearning.Tests.OnnxRuntime;

/// <summary>
/// The deploy package (ONNX Runtime, no TorchSharp) on image files gives <see cref="TransferTrainer.Predict(IEnumerable{string})"/>'s
/// answers: same class, probabilities within 1e-4 — because both decode with <see cref="ImagePixelDecoder"/>.
/// </summary>
public sealed class OnnxImageClassifierTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tl-deploy-" + Guid.NewGuid().ToString("N"));

    public OnnxImageClassifierTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>JPEGs and PNGs of assorted sizes and aspect ratios (some larger than twice the target, for scaled decoding).</summary>
    private string[] WriteImages(int count)
    {
        var random = new Random(5);
        var paths = new List<string>();
        for (int i = 0; i < count; i++)
        {
            int w = random.Next(30, 260), h = random.Next(30, 260);
            using var bitmap = i % 3 == 0 ? TrainingTestData.DrawOne(i % 3, random) : TestImageFiles.PhotoLike(w, h, seed: i);
            paths.Add(i % 2 == 0
                ? TestImageFiles.WriteJpeg(Path.Combine(_directory, $"img{i:D2}.jpg"), bitmap, quality: 90)
                : TestImageFiles.WritePng(Path.Combine(_directory, $"img{i:D2}.png"), bitmap));
        }
        return paths.ToArray();
    }

    private static void AssertSame(IReadOnlyList<TrainerPrediction> expected, IReadOnlyList<TransferLearning.OnnxRuntime.Prediction> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Source, actual[i].Source);
            Assert.Equal(expected[i].ClassNames, actual[i].ClassNames);
            Assert.Equal(expected[i].ClassName, actual[i].ClassName);
            double diff = expected[i].Probabilities.Zip(actual[i].Probabilities, (a, b) => Math.Abs((double)a - b)).Max();
            Assert.True(diff <= 1e-4, $"{expected[i].Source}: probabilities differ by {diff:E3}.");
        }
    }

    public static TheoryData<Interpolation, bool> Contracts() => new()
    {
        { Interpolation.Bilinear, false }, { Interpolation.Nearest, true }, { Interpolation.Bicubic, false }, { Interpolation.Area, true },
    };

    [Theory]
    [MemberData(nameof(Contracts))]
    public void Predictions_on_files_equal_the_trainers(Interpolation interpolation, bool keepAspectRatio)
    {
        using var backbone = TrainingTestData.TinyBackbone();
        var decode = new ImageDecodeOptions { TargetSize = new SKSizeI(TrainingTestData.Size, 40), Interpolation = interpolation, KeepAspectRatio = keepAspectRatio };
        using var trainer = new TransferTrainer(backbone, TrainingTestData.Classes, new TransferTrainerOptions { Decode = decode, PredictionBatchSize = 4 });
        string model = Path.Combine(_directory, "tiny.onnx");
        trainer.ExportOnnx(model);
        var files = WriteImages(7);
        using var classifier = new OnnxImageClassifier(model, new OnnxClassifierOptions { BatchSize = 3 });
        AssertSame(trainer.Predict(files), classifier.Predict(files));
    }

    [Fact]
    public void The_packaged_resnet18_gives_the_trainers_predictions_on_jpeg_files()
    {
        using var backbone = OnnxBackbone.ResNet18FromPackage();
        var decode = new ImageDecodeOptions { TargetSize = new SKSizeI(64, 64), Interpolation = Interpolation.Bilinear };
        using var trainer = new TransferTrainer(backbone, new[] { "a", "b", "c" }, new TransferTrainerOptions { Decode = decode, Seed = 2 });
        string model = Path.Combine(_directory, "resnet18.onnx");
        trainer.ExportOnnx(model, new TransferLearning.Export.OnnxExportOptions { IncludeProbabilities = false });
        var files = WriteImages(5);
        using var classifier = new OnnxImageClassifier(model);
        Assert.Null(classifier.Metadata.ProbabilitiesOutput); // the softmax is then computed by the classifier
        AssertSame(trainer.Predict(files), classifier.Predict(files));
    }

    [Fact]
    public void Concurrent_callers_get_the_answers_of_a_single_caller()
    {
        using var backbone = TrainingTestData.TinyBackbone();
        using var trainer = new TransferTrainer(backbone, TrainingTestData.Classes,
            new TransferTrainerOptions { Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(48, 48), Interpolation = Interpolation.Bilinear } });
        string model = Path.Combine(_directory, "tiny.onnx");
        trainer.ExportOnnx(model);
        var files = WriteImages(6);
        using var classifier = new OnnxImageClassifier(model, new OnnxClassifierOptions { BatchSize = 2 });
        var reference = classifier.Predict(files);
        var results = new IReadOnlyList<TransferLearning.OnnxRuntime.Prediction>[8];
        Parallel.For(0, results.Length, i => results[i] = classifier.Predict(files.Skip(i % 3).Concat(files.Take(i % 3))));
        for (int i = 0; i < results.Length; i++)
            foreach (var p in results[i])
                Assert.Equal(reference.Single(r => r.Source == p.Source).Probabilities, p.Probabilities);
    }

    [Fact]
    public void The_metadata_gives_the_trainers_classes_and_decode_contract()
    {
        using var backbone = TrainingTestData.TinyBackbone();
        var decode = new ImageDecodeOptions { TargetSize = new SKSizeI(40, 32), Interpolation = Interpolation.Area, KeepAspectRatio = true, UseFineScaledDecoding = true, ApplyExifOrientation = false };
        using var trainer = new TransferTrainer(backbone, TrainingTestData.Classes, new TransferTrainerOptions { Decode = decode });
        string model = Path.Combine(_directory, "tiny.onnx");
        trainer.ExportOnnx(model);
        using var classifier = new OnnxImageClassifier(model);
        Assert.Equal(TrainingTestData.Classes, classifier.ClassNames);
        var options = classifier.Metadata.DecodeOptions;
        Assert.Equal(trainer.InputContract, InputContract.FromDecodeOptions(options));
        Assert.Equal((32, 40), (classifier.Metadata.Height, classifier.Metadata.Width));
        Assert.Equal("tiny", classifier.Metadata.Backbone);
    }

    [Fact]
    public void Pixels_decoded_elsewhere_give_the_same_answers_as_files()
    {
        using var backbone = TrainingTestData.TinyBackbone();
        using var trainer = new TransferTrainer(backbone, TrainingTestData.Classes, new TransferTrainerOptions { InputSize = (48, 48) });
        string model = Path.Combine(_directory, "tiny.onnx");
        trainer.ExportOnnx(model);
        var files = WriteImages(3);
        using var classifier = new OnnxImageClassifier(model);
        var pixels = new float[3 * classifier.Decoder.ValuesPerImage];
        for (int i = 0; i < 3; i++) classifier.Decoder.DecodeInto(files[i], pixels.AsSpan(i * classifier.Decoder.ValuesPerImage, classifier.Decoder.ValuesPerImage));
        var fromPixels = classifier.Predict(pixels, 3);
        var fromFiles = classifier.Predict(files);
        Assert.Equal(fromFiles.Select(p => p.Probabilities), fromPixels.Select(p => p.Probabilities));
        Assert.Throws<ArgumentException>(() => classifier.Predict(new float[10], 1));
    }

    [Fact]
    public void Bad_models_and_images_give_errors_naming_the_file()
    {
        string missing = Path.Combine(_directory, "missing.onnx");
        Assert.Contains("missing.onnx", Assert.Throws<FileNotFoundException>(() => new OnnxImageClassifier(missing)).Message);

        string garbage = TestImageFiles.Write(Path.Combine(_directory, "garbage.onnx"), new byte[] { 1, 2, 3, 4, 5 });
        Assert.Contains("garbage.onnx", Assert.Throws<InvalidDataException>(() => new OnnxImageClassifier(garbage)).Message);

        // A valid ONNX file that TransferTrainer did not write: no metadata.
        string foreign = Path.Combine(AppContext.BaseDirectory, OnnxBackbone.ResNet18PreprocessRelativePath);
        var e = Assert.Throws<InvalidDataException>(() => new OnnxImageClassifier(foreign));
        Assert.Contains(ExportedModelMetadata.Key, e.Message);

        using var backbone = TrainingTestData.TinyBackbone();
        using var trainer = new TransferTrainer(backbone, TrainingTestData.Classes, new TransferTrainerOptions { InputSize = (48, 48) });
        string model = Path.Combine(_directory, "tiny.onnx");
        trainer.ExportOnnx(model);
        using var classifier = new OnnxImageClassifier(model);
        string notAnImage = TestImageFiles.Write(Path.Combine(_directory, "notes.jpg"), "hello"u8.ToArray());
        var good = WriteImages(2);
        var decode = Assert.Throws<ImageDecodeException>(() => classifier.Predict(good.Append(notAnImage)));
        Assert.Contains("notes.jpg", decode.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxImageClassifier(model, new OnnxClassifierOptions { BatchSize = 0 }));
        classifier.Dispose();
        Assert.Throws<ObjectDisposedException>(() => classifier.Predict(good));
    }

    [Fact]
    public void The_deploy_assemblies_do_not_reference_torchsharp()
    {
        foreach (var assembly in new[] { typeof(OnnxImageClassifier).Assembly, typeof(ImagePixelDecoder).Assembly })
            Assert.DoesNotContain(assembly.GetReferencedAssemblies(), r => r.Name!.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase));
    }
}
