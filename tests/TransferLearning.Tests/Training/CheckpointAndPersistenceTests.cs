using SkiaSharp;
using TransferLearning.Backbones;
using TransferLearning.Data;
using TransferLearning.Imaging;
using TransferLearning.Training;
using static TorchSharp.torch;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

public sealed class CheckpointAndPersistenceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "transferlearning-tests", Guid.NewGuid().ToString("N"));

    public CheckpointAndPersistenceTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class Synchronous<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }

    private static TransferTrainerOptions Options(string checkpoint) => TransferTrainerTests.FastOptions(headEpochs: 2, fineTuneEpochs: 3) with
    {
        CheckpointPath = checkpoint,
        Dropout = 0.2,
        FineTunePhase = PhaseOptions.KerasFineTune with { Epochs = 3, LearningRate = 1e-4, Schedule = LearningRateSchedule.ReduceOnPlateau(patience: 0, factor: 0.5) },
    };

    [Fact]
    public void Cancelling_leaves_the_last_epochs_checkpoint_and_resuming_reproduces_the_uninterrupted_run()
    {
        var (train, valid) = Sources(trainPerClass: 8, validPerClass: 4, batchSize: 6);
        using var _t = train;
        using var _v = valid;
        string full = Path.Combine(_directory, "full.ckpt"), interrupted = Path.Combine(_directory, "interrupted.ckpt");

        TrainingHistory reference;
        float[] referenceHead;
        using (var backbone = TinyBackbone())
        using (var trainer = new TransferTrainer(backbone, Classes, Options(full)))
        {
            reference = trainer.Fit(train, valid);
            referenceHead = Weights(trainer.Head)["linear.weight"];
        }

        using var cancellation = new CancellationTokenSource();
        var reports = new List<TrainingProgress>();
        var progress = new Synchronous<TrainingProgress>(p =>
        {
            reports.Add(p);
            if (p.Phase == TrainingPhase.FineTune && p.Epoch == 2 && p.Batch == 2) cancellation.Cancel();
        });
        using (var backbone = TinyBackbone())
        using (var trainer = new TransferTrainer(backbone, Classes, Options(interrupted)))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(train, valid, progress, cancellation.Token));
        }
        var last = reports[^1];
        Assert.Equal((TrainingPhase.FineTune, 2, 2), (last.Phase, last.Epoch, last.Batch));
        Assert.Equal(train.BatchesPerEpoch, last.BatchCount);
        Assert.True(last.ImagesPerSecond > 0);
        Assert.True(last.EstimatedRemaining > TimeSpan.Zero);
        Assert.Contains(reports, r => r.FromFeatureCache);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));

        using (var backbone = TinyBackbone(seed: 99))
        using (var trainer = new TransferTrainer(backbone, Classes, Options(interrupted)))
        {
            trainer.ResumeFrom(interrupted);
            Assert.Equal(3, trainer.History.Epochs.Count);
            var resumed = trainer.Fit(train, valid);
            Assert.Equal(TransferTrainerTests.Comparable(reference), TransferTrainerTests.Comparable(resumed));
            Assert.Equal(referenceHead, Weights(trainer.Head)["linear.weight"]);
        }
    }

    [Fact]
    public void Save_then_Load_gives_identical_predictions_from_tensors_files_and_bitmaps()
    {
        var (train, valid) = Sources(trainPerClass: 6, validPerClass: 2);
        using var _t = train;
        using var _v = valid;
        string modelPath = Path.Combine(_directory, "model.tlmodel");
        var random = new Random(5);
        var files = new List<string>();
        var bitmaps = new List<SKBitmap>();
        for (int i = 0; i < 4; i++)
        {
            // Drawn at 64 px so that prediction from files exercises the resize to the model's 48 px input.
            var small = DrawOne(i % 3, random);
            var large = small.Resize(new SKImageInfo(64, 64), new SKSamplingOptions(SKFilterMode.Linear));
            small.Dispose();
            string file = Path.Combine(_directory, $"image{i}.png");
            using (var stream = File.Create(file)) large.Encode(stream, SKEncodedImageFormat.Png, 100);
            files.Add(file);
            bitmaps.Add(large);
        }
        using var batch = Draw(2, 77).Images;

        IReadOnlyList<Prediction> fromTensor, fromFiles;
        Prediction fromBitmap;
        using (var backbone = TinyBackbone())
        using (var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 2, fineTuneEpochs: 1)))
        {
            trainer.Fit(train, valid);
            trainer.Save(modelPath);
            fromTensor = trainer.Predict(batch);
            fromFiles = trainer.Predict(files);
            fromBitmap = trainer.Predict(bitmaps[0]);
        }

        var info = TransferTrainer.ReadInfo(modelPath);
        Assert.Equal("tiny", info.BackboneName);
        Assert.Equal(Classes, info.ClassNames);
        Assert.Equal((48, 48), (info.InputHeight, info.InputWidth));
        Assert.Equal("imagenet", info.PreprocessingName);

        using var loaded = TransferTrainer.Load(modelPath, i => i.BackboneName == "tiny" ? TinyBackbone(seed: 1234) : throw new NotSupportedException(i.BackboneName));
        Assert.Equal(Probabilities(fromTensor), Probabilities(loaded.Predict(batch)));
        Assert.Equal(Probabilities(fromFiles), Probabilities(loaded.Predict(files)));
        Assert.Equal(fromBitmap.Probabilities, loaded.Predict(bitmaps[0]).Probabilities);
        Assert.Equal(fromTensor.Select(p => p.ClassName), loaded.Predict(batch).Select(p => p.ClassName));
        Assert.All(fromTensor, p => Assert.Equal(1f, p.Probabilities.Sum(), 4));
        foreach (var b in bitmaps) b.Dispose();
    }

    private static float[] Probabilities(IEnumerable<Prediction> predictions) => predictions.SelectMany(p => p.Probabilities).ToArray();

    [Fact]
    public void Predicting_a_file_that_is_not_an_image_names_the_file()
    {
        string junk = Path.Combine(_directory, "not-an-image.png");
        File.WriteAllBytes(junk, "definitely not a PNG"u8.ToArray());
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 0, fineTuneEpochs: 0) with { InputSize = (48, 48) });

        var error = Assert.Throws<TransferLearning.Imaging.ImageDecodeException>(() => trainer.Predict(new[] { junk }));

        Assert.Contains(junk, error.Message);
    }

    [Fact]
    public void Load_refuses_a_backbone_that_does_not_match_the_file()
    {
        string modelPath = Path.Combine(_directory, "model.tlmodel");
        using (var backbone = TinyBackbone())
        using (var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions() with { InputSize = (48, 48) }))
            trainer.Save(modelPath);

        var other = Assert.Throws<InvalidDataException>(() => TransferTrainer.Load(modelPath, _ => Renamed("other")));
        Assert.Contains("'tiny'", other.Message);
        var caffe = Assert.Throws<InvalidDataException>(() => TransferTrainer.Load(modelPath, _ => Renamed("tiny", ImagePreprocessing.Caffe())));
        Assert.Contains("preprocessing", caffe.Message);
        Assert.Throws<FileNotFoundException>(() => TransferTrainer.Load(Path.Combine(_directory, "missing"), _ => TinyBackbone()));
        File.WriteAllText(Path.Combine(_directory, "junk"), "not a zip");
        Assert.Contains("not a TransferLearning model", Assert.Throws<InvalidDataException>(() => TransferTrainer.ReadInfo(Path.Combine(_directory, "junk"))).Message);
    }

    private static PretrainedBackbone Renamed(string name, ImagePreprocessing? preprocessing = null)
    {
        var tiny = TinyBackbone();
        return new PretrainedBackbone(name, tiny.Features, preprocessing ?? ImagePreprocessing.ImageNet(), 16, tiny.LayerGroups);
    }

    [Fact]
    public void Evaluate_reports_a_confusion_matrix_that_agrees_with_Predict()
    {
        var (train, valid) = Sources(trainPerClass: 6, validPerClass: 4, batchSize: 5);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 2, fineTuneEpochs: 0));
        trainer.Fit(train);

        var result = trainer.Evaluate(valid);

        var expected = new int[3, 3];
        foreach (var b in valid.ReadEpoch(0))
        {
            using (b)
            {
                var predicted = trainer.Predict(b.Images);
                var labels = b.Labels.data<long>().ToArray();
                for (int i = 0; i < labels.Length; i++) expected[labels[i], predicted[i].ClassIndex]++;
            }
        }
        Assert.Equal(12, result.SampleCount);
        for (int a = 0; a < 3; a++)
            for (int p = 0; p < 3; p++)
                Assert.Equal(expected[a, p], result.ConfusionMatrix[a][p]);
        Assert.Equal(Enumerable.Range(0, 3).Sum(c => expected[c, c]) / 12.0, result.Accuracy, 10);
        for (int c = 0; c < 3; c++)
        {
            int predictedAsC = Enumerable.Range(0, 3).Sum(a => expected[a, c]);
            Assert.Equal(predictedAsC == 0 ? 0 : (double)expected[c, c] / predictedAsC, result.Precision[c], 10);
            Assert.Equal(expected[c, c] / 4.0, result.Recall[c], 10);
        }
        Assert.Equal(1.0, result.TopKAccuracy);
    }
}
