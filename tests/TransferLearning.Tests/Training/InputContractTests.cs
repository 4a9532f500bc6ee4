using System.IO.Compression;
using System.Text.Json.Nodes;
using SkiaSharp;
using TransferLearning.Data;
using TransferLearning.Imaging;
using TransferLearning.Training;
using static TransferLearning.Tests.Imaging.TestImageFiles;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

/// <summary>The decode settings a model trained with are part of the model: prediction decodes files exactly as training did.</summary>
public sealed class InputContractTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private DirectoryImageDataset WriteImages()
    {
        var random = new Random(8);
        for (int cls = 0; cls < Classes.Length; cls++)
            for (int i = 0; i < 4; i++)
            {
                using var drawn = DrawOne(cls, random);
                // Odd, non-square sizes so the nearest resize and the centre crop both matter.
                using var sized = drawn.Resize(new SKImageInfo(50 + 7 * i, 41 + 3 * cls), new SKSamplingOptions(SKFilterMode.Linear));
                WritePng(_dir.Combine("set", Classes[cls], $"{i}.png"), sized);
            }
        return DirectoryImageDataset.FromDirectory(_dir.Combine("set"));
    }

    private static readonly ImageDecodeOptions Decode = new() { TargetSize = new SKSizeI(40, 36), Interpolation = Interpolation.Nearest, KeepAspectRatio = true };

    [Fact]
    public void Predict_on_files_gives_the_evaluation_loaders_logits_bitwise_and_a_saved_model_keeps_the_contract()
    {
        var dataset = WriteImages();
        using var train = ImageBatchLoader.ForTraining(dataset, new TrainingLoaderOptions { Decode = Decode, BatchSize = 4, ShuffleSeed = 1, WorkerCount = 2 });
        using var valid = ImageBatchLoader.ForEvaluation(dataset, new EvaluationLoaderOptions { Decode = Decode, BatchSize = 5, WorkerCount = 2 });
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 2, fineTuneEpochs: 1) with { PredictionBatchSize = 5 });
        trainer.Fit(train, valid);

        var contract = trainer.InputContract!;
        Assert.Equal((36, 40, Interpolation.Nearest, true), (contract.Height, contract.Width, contract.Interpolation, contract.KeepAspectRatio));
        var evaluation = trainer.Evaluate(valid);
        var files = dataset.Samples.Select(s => s.Path).ToArray();
        var fromFiles = trainer.Predict(files);
        Assert.Equal(files, evaluation.Predictions.Select(p => p.Source));
        Assert.Equal(Logits(evaluation.Predictions), Logits(fromFiles));
        Assert.Equal(Logits(fromFiles), Logits(trainer.Predict(dataset)));
        Assert.Equal(Logits(fromFiles.Where(p => p.Source!.Contains("circle"))), Logits(trainer.PredictFolder(_dir.Combine("set", "circle"))));
        Assert.Equal(dataset.Samples.Select(s => s.Label), evaluation.Labels);

        string path = _dir.Combine("model.tlmodel");
        trainer.Save(path);
        Assert.Equal(contract, TransferTrainer.ReadInfo(path).Input);
        using var loaded = TransferTrainer.Load(path, _ => TinyBackbone(seed: 99));
        Assert.Equal(contract, loaded.InputContract);
        Assert.Equal(Logits(fromFiles), Logits(loaded.Predict(files)));
    }

    [Fact]
    public void A_model_file_without_a_contract_still_loads_and_predicts_with_a_bilinear_resize()
    {
        var dataset = WriteImages();
        var (train, valid) = Sources(trainPerClass: 4, validPerClass: 2);
        using var _t = train;
        using var _v = valid;
        string path = _dir.Combine("old.tlmodel");
        using (var backbone = TinyBackbone())
        using (var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(1, 0)))
        {
            trainer.Fit(train, valid);
            Assert.Equal(Interpolation.Bilinear, trainer.InputContract!.Interpolation); // a tensor source decodes nothing
            trainer.Save(path);
        }
        // Rewrite model.json as the library wrote it before contracts existed.
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("model.json")!;
            JsonObject json;
            using (var reader = new StreamReader(entry.Open())) json = JsonNode.Parse(reader.ReadToEnd())!.AsObject();
            Assert.True(json.Remove("Input"));
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("model.json").Open());
            writer.Write(json.ToJsonString());
        }

        using var loaded = TransferTrainer.Load(path, _ => TinyBackbone());
        Assert.Null(TransferTrainer.ReadInfo(path).Input);
        Assert.Equal(new InputContract { Height = 48, Width = 48, Interpolation = Interpolation.Bilinear }, loaded.InputContract);
        Assert.Equal(dataset.Count, loaded.Predict(dataset.Samples.Select(s => s.Path)).Count);
    }

    [Fact]
    public void A_damaged_model_json_names_the_file()
    {
        string path = _dir.Combine("broken.tlmodel");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("model.json").Open()))
            writer.Write("{ not json");
        var error = Assert.Throws<InvalidDataException>(() => TransferTrainer.ReadInfo(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("model.json", error.Message);
    }

    private static float[] Logits(IEnumerable<Prediction> predictions) => predictions.SelectMany(p => p.Logits).ToArray();
}
