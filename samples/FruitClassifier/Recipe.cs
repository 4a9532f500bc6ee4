using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SkiaSharp;
using Spectre.Console;
using TorchSharp;
using TransferLearning.Augmentation;
using TransferLearning.Backbones;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Data;
using TransferLearning.Imaging;
using TransferLearning.Native;
using TransferLearning.Reporting;
using TransferLearning.Training;

namespace FruitClassifier;

/// <summary>The recipe, step by step, as a user would write it.</summary>
internal static class Recipe
{
    public static int Run(RecipeSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            return Train(settings, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("[yellow]Cancelled.[/] The last finished epoch is in the checkpoint file.");
            return 130;
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException or ImageDatasetException or ImageDecodeException
                                      or TorchNativeLoadException or TorchDeviceUnavailableException or WeightsDownloadException or WeightsMismatchException or OnnxImportException
                                      or IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 1;
        }
    }

    private static int Train(RecipeSettings s, CancellationToken cancellationToken)
    {
        // First, before any work: asking for CUDA on the CPU backend says which package to reference (TorchDeviceUnavailableException).
        var device = TorchNative.ResolveDevice(s.Device);
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(s.Output.FullName);
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(new SpectreLoggerProvider(LogLevel.Information)));
        TorchNative.EnsureLoaded();

        // 1. Data: flow_from_directory('data/fruits/train/', target_size=(S, S), class_mode='categorical')
        var (trainSet, validSet, source) = LoadData(s, loggerFactory.CreateLogger("Data"));
        AnsiConsole.MarkupLine($"Data: {Markup.Escape(source)}");
        AnsiConsole.MarkupLine($"  train: {trainSet}  valid: {validSet}");
        AnsiConsole.MarkupLine($"  classes: {Markup.Escape(string.Join(", ", trainSet.ClassNames))}");

        // 2. Augmentation. The keras recipe: ImageDataGenerator(rotation_range=180, zoom_range=0.1, width_shift_range=0.1,
        //    height_shift_range=0.1, horizontal_flip=True, vertical_flip=True) — right for fruit seen from any side. The
        //    default: mirror images only — measured on the Fashion-MNIST benchmark, adding ±10° rotation, zoom and shift 0.1
        //    cost 1.8 points (84.6 % after 6 fine-tune epochs against 86.4 % after 5); add them for photos that are not centred. samplewise_center is left
        //    out on purpose: the backbone's own preprocessing (bound to its weights) normalises inside the model.
        bool keras = s.Recipe == "keras";
        var augmentation = (keras
            ? new KerasImageDataGenerator { RotationRange = 180, ZoomRange = 0.1, WidthShiftRange = 0.1, HeightShiftRange = 0.1, HorizontalFlip = true, VerticalFlip = true }
            : new KerasImageDataGenerator { HorizontalFlip = true }).ToPipeline();
        var decode = new ImageDecodeOptions { TargetSize = new SKSizeI(s.ImageSize, s.ImageSize), Interpolation = Interpolation.Bilinear };
        var dataLogger = loggerFactory.CreateLogger("Loader");
        // Keras' two fit calls with two generators: the head phase on plain (unaugmented) batches, so the frozen
        // backbone's features are computed once and cached; the fine-tuning on augmented ones.
        using var plainTrain = ImageBatchLoader.ForTraining(trainSet, new TrainingLoaderOptions
        {
            BatchSize = s.BatchSize, Decode = decode, ShuffleSeed = s.Seed, Logger = dataLogger,
        });
        using var train = ImageBatchLoader.ForTraining(trainSet, new TrainingLoaderOptions
        {
            BatchSize = s.BatchSize, Decode = decode, Augmentation = augmentation, ShuffleSeed = s.Seed, AugmentationSeed = s.Seed + 1, Logger = dataLogger,
        });
        using var valid = ImageBatchLoader.ForEvaluation(validSet, new EvaluationLoaderOptions { BatchSize = s.BatchSize, Decode = decode, Logger = dataLogger });

        string preview = Path.Combine(s.Output.FullName, "augmentation-preview.png");
        SavePreview(augmentation, trainSet, decode, preview, s.Seed);

        // 3. Backbone: VGG16(weights='imagenet', include_top=False), a torchvision ResNet — or the offline ImageNet ResNet18.
        var backbone = BackboneChoice.Create(s, loggerFactory, cancellationToken);
        AnsiConsole.MarkupLine($"Backbone: {backbone.Name}, {backbone.ParameterCount:N0} parameters, {backbone.LayerGroups.Count} layer groups, " +
                               $"preprocessing '{backbone.Preprocessing.Name}'");

        // 4. Two phases: base.trainable = False; fit(...); base.trainable = True; fit(...) — with the recipe's settings.
        string checkpoint = Path.Combine(s.Output.FullName, "checkpoint.tlmodel");
        var preset = keras ? TransferTrainerOptions.Keras : TransferTrainerOptions.Default;
        var options = preset with
        {
            HeadPhase = preset.HeadPhase with { Epochs = s.HeadEpochs ?? preset.HeadPhase.Epochs },
            FineTunePhase = preset.FineTunePhase with
            {
                Epochs = s.FineTuneEpochs ?? preset.FineTunePhase.Epochs,
                LearningRate = s.FineTuneLearningRate ?? preset.FineTunePhase.LearningRate,
            },
            Seed = s.Seed,
            // Top-k below the number of classes (top-3 of 2 classes would read 100 %); top-1 for two classes.
            TopK = Math.Max(1, Math.Min(3, trainSet.ClassNames.Count - 1)),
            Device = device,
            CheckpointPath = checkpoint,
            InputSize = (s.ImageSize, s.ImageSize),
        };
        using var trainer = new TransferTrainer(backbone, trainSet.ClassNames, options, loggerFactory.CreateLogger<TransferTrainer>());
        AnsiConsole.WriteLine(trainer.Summary());
        if (s.FindLearningRate) return FindLearningRates(trainer, plainTrain, train, s.Output.FullName, cancellationToken);
        var head = options.HeadPhase;
        var fine = options.FineTunePhase;
        AnsiConsole.MarkupLine($"Training on {trainer.Device.type} ({s.Recipe} recipe): {head.Epochs} head epoch(s) on cached features of unaugmented images " +
                               $"({head.Optimizer} {head.LearningRate:G3}), then {fine.Epochs} fine-tune epoch(s) on augmented images " +
                               $"({fine.Optimizer} {fine.LearningRate:G3}, {fine.Schedule.Kind} schedule{(fine.EarlierBlocksLearningRateFactor < 1 ? $", earlier blocks x{fine.EarlierBlocksLearningRateFactor:G3} each" : "")}).");
        TrainingHistory history = null!;
        if (PlainOutput.IsRedirected)
        {
            // Piped or redirected: no live progress bars (they would repeat as text); the trainer logs one line per epoch.
            history = trainer.Fit(new PhaseData(plainTrain, valid), new PhaseData(train, valid), progress: null, cancellationToken);
        }
        else AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<TrainingPhase, ProgressTask>();
                var progress = new ImmediateProgress<TrainingProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.Phase, out var task))
                        tasks[p.Phase] = task = context.AddTask(p.Phase.ToString(), maxValue: p.EpochCount * p.BatchCount);
                    task.Value = (p.Epoch - 1) * p.BatchCount + p.Batch;
                    task.Description = $"{(p.Phase == TrainingPhase.Head ? "head     " : "fine-tune")} epoch {p.Epoch}/{p.EpochCount}  " +
                                       $"loss {p.RunningLoss:F3}  acc {p.RunningAccuracy:P0}  {p.ImagesPerSecond:F0} img/s{(p.FromFeatureCache ? " (cached)" : "")}";
                });
                history = trainer.Fit(new PhaseData(plainTrain, valid), new PhaseData(train, valid), progress, cancellationToken);
                foreach (var task in tasks.Values) task.Value = task.MaxValue;
            });

        // 5. evaluate(valid) — never augmented.
        var evaluation = trainer.Evaluate(valid, cancellationToken);
        var table = new Table().AddColumns("class", "precision", "recall").Border(PlainOutput.IsRedirected ? TableBorder.Ascii : TableBorder.Square);
        for (int c = 0; c < evaluation.ClassNames.Count; c++)
            table.AddRow(evaluation.ClassNames[c], $"{evaluation.Precision[c]:P1}", $"{evaluation.Recall[c]:P1}");
        AnsiConsole.Write(table);
        // Top-k only when it says something: with k >= the number of classes it is 100 % by definition, and top-1 is the accuracy.
        string topK = evaluation.TopK > 1 && evaluation.TopK < evaluation.ClassNames.Count ? $", top-{evaluation.TopK} {evaluation.TopKAccuracy:P1}" : "";
        AnsiConsole.MarkupLine($"Validation accuracy: [bold]{evaluation.Accuracy:P1}[/] ({evaluation.SampleCount} images), loss {evaluation.Loss:F4}{topK}");
        if (s.TestTimeAugmentation)
        {
            // fastai's tta: each image and its mirror image, probabilities averaged.
            var withTta = trainer.Evaluate(valid, TestTimeAugmentation.Flips, cancellationToken);
            AnsiConsole.MarkupLine($"Validation accuracy with test-time augmentation (image + mirror image): [bold]{withTta.Accuracy:P1}[/], loss {withTta.Loss:F4}");
        }

        // 6. Save everything.
        string model = Path.Combine(s.Output.FullName, "fruit-classifier.tlmodel");
        trainer.Save(model);
        string historyChart = Path.Combine(s.Output.FullName, "history.png");
        string confusion = Path.Combine(s.Output.FullName, "confusion-matrix.png");
        history.SaveChart(historyChart);
        history.SaveJson(Path.Combine(s.Output.FullName, "history.json"));
        history.SaveCsv(Path.Combine(s.Output.FullName, "history.csv"));
        evaluation.SaveConfusionMatrixChart(confusion);

        // 7. Predict one image, as an app would with the saved model.
        string example = validSet.Samples[validSet.Count / 2].Path;
        var prediction = trainer.Predict(new[] { example })[0];
        AnsiConsole.MarkupLine($"Prediction for {Markup.Escape(Path.GetFileName(example))}: [bold]{Markup.Escape(prediction.ClassName)}[/] ({prediction.Confidence:P1})");
        OnnxDeployment.Export(trainer, model, example);

        AnsiConsole.MarkupLine($"\nWritten to {Markup.Escape(s.Output.FullName)}:");
        foreach (var (what, path) in new[] { ("model", model), ("training history chart", historyChart), ("confusion matrix", confusion),
                     ("augmentation preview", preview), ("history (JSON, CSV)", Path.Combine(s.Output.FullName, "history.json")), ("last checkpoint", checkpoint) })
            AnsiConsole.MarkupLine($"  {what,-24} {Markup.Escape(path)}");
        AnsiConsole.MarkupLine($"Finished in {clock.Elapsed.TotalSeconds:F0} s.");
        if (s.Data is null)
        {
            AnsiConsole.MarkupLine("\n[bold]Next: real data.[/] Download the 'Fruits fresh and rotten for classification' data set (train/ and valid/ " +
                                   "folders with freshapples … rottenoranges) and run, for example:");
            AnsiConsole.MarkupLine("  dotnet run -c Release --project samples/FruitClassifier -- --data path/to/dataset --image-size 224");
            AnsiConsole.MarkupLine("  (add --recipe keras for the seed Keras recipe, --backbone vgg16 --weights imagenet for its VGG16, --find-lr to pick a rate; a GPU helps: see docs/troubleshooting.md)");
        }
        // The last line, for scripts: accuracy without test-time augmentation.
        AnsiConsole.WriteLine(FormattableString.Invariant($"validation accuracy: {100 * evaluation.Accuracy:F1} %"));
        return 0;
    }

    /// <summary>lr_find for both phases: the head on plain batches, the fine-tuning on augmented ones; charts and suggestions.</summary>
    private static int FindLearningRates(TransferTrainer trainer, IImageBatchSource plainTrain, IImageBatchSource train, string output, CancellationToken cancellationToken)
    {
        foreach (var (phase, source, name) in new[] { (TrainingPhase.Head, plainTrain, "head"), (TrainingPhase.FineTune, train, "fine-tune") })
        {
            var result = trainer.FindLearningRate(source, new LearningRateFinderOptions { Phase = phase }, cancellationToken);
            string chart = Path.Combine(output, $"lr-finder-{name}.png");
            result.SaveChart(chart);
            AnsiConsole.MarkupLine($"{name,-9} lr_find over {result.LearningRates.Count} batches{(result.Diverged ? " (stopped at divergence)" : "")}: " +
                                   $"suggested (valley) [bold]{result.Valley:G2}[/], steep {result.Steepest:G2}, minimum/10 {result.Minimum:G2} — chart {Markup.Escape(chart)}");
        }
        AnsiConsole.MarkupLine("Use a rate with --fine-tune-lr (the head phase's rate is the recipe's).");
        return 0;
    }

    private static (DirectoryImageDataset Train, DirectoryImageDataset Valid, string Source) LoadData(RecipeSettings s, ILogger logger)
    {
        string root;
        string source;
        if (s.Data is null)
        {
            root = Path.Combine(s.Output.FullName, "generated-fruits");
            if (!Directory.Exists(Path.Combine(root, "valid")))
                SyntheticFruits.Generate(root, trainPerClass: 40, validPerClass: 20, size: 128, seed: s.Seed);
            source = $"no --data given: a generated fresh/rotten fruit set in {root}";
        }
        else
        {
            root = s.Data.FullName;
            if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"--data: the folder '{root}' does not exist.");
            source = root;
        }

        string trainDir = Path.Combine(root, "train"), validDir = Path.Combine(root, "valid");
        if (Directory.Exists(trainDir) && Directory.Exists(validDir))
        {
            var train = DirectoryImageDataset.FromDirectory(trainDir, new DirectoryImageDatasetOptions { Logger = logger });
            var valid = DirectoryImageDataset.FromDirectory(validDir, new DirectoryImageDatasetOptions { Logger = logger, ClassNames = train.ClassNames });
            return (train, valid, source);
        }
        // One folder of class folders: Keras' validation_split (the first 20% of each class's sorted files).
        var training = DirectoryImageDataset.FromDirectory(root, new DirectoryImageDatasetOptions { Logger = logger, ValidationSplit = 0.2, Subset = DatasetSubset.Training });
        var validation = DirectoryImageDataset.FromDirectory(root, new DirectoryImageDatasetOptions { Logger = logger, ValidationSplit = 0.2, Subset = DatasetSubset.Validation });
        return (training, validation, source + " (no train/ and valid/ folders: 20% of each class held out)");
    }

    private static void SavePreview(IAugmentation augmentation, DirectoryImageDataset dataset, ImageDecodeOptions decode, string path, int seed)
    {
        var decoder = new ImageDecoder(decode);
        // One row per class (every class), named by its class.
        var firstOfEachClass = Enumerable.Range(0, dataset.ClassNames.Count)
            .Select(c => dataset.Samples.FirstOrDefault(x => x.Label == c))
            .Where(x => x is not null).Select(x => x!).ToList();
        var images = firstOfEachClass.Select(x => decoder.Decode(x.Path)).ToList();
        try
        {
            AugmentationPreview.Save(augmentation, images, firstOfEachClass.Select(x => dataset.ClassNames[x.Label]).ToList(), versions: 6, path, seed);
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    /// <summary>Reports on the caller's thread at once (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class ImmediateProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
