using System.Diagnostics;
using System.Globalization;
using SkiaSharp;
using TransferLearning.Augmentation;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Data;
using TransferLearning.Imaging;
using TransferLearning.Training;
using static TorchSharp.torch;

namespace TransferLearning.Benchmarks.Quality;

/// <summary>
/// One training run of a recipe on a train/ + valid/ folder, with the settings as key=value arguments — the tool the
/// default recipe was chosen with (docs/training.md, "Choosing the default recipe"). Prints one result line with
/// validation accuracy (plain and with flip TTA), and this process's CPU and wall seconds.
/// dotnet run -c Release --project tests/TransferLearning.Benchmarks -- recipe-trial DIR head-epochs=2 ft-epochs=4 ...
/// </summary>
public static class RecipeTrial
{
    public static void Run(string data, IReadOnlyList<string> settings)
    {
        var s = settings.Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "true");
        string Get(string key, string fallback) => s.TryGetValue(key, out var v) ? v : fallback;
        double D(string key, double fallback) => double.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        int I(string key, int fallback) => int.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        var clock = Stopwatch.StartNew();
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        int size = I("size", 128), batch = I("bs", 32), seed = I("seed", 42);
        var train = DirectoryImageDataset.FromDirectory(Path.Combine(data, "train"));
        var valid = DirectoryImageDataset.FromDirectory(Path.Combine(data, "valid"), new DirectoryImageDatasetOptions { ClassNames = train.ClassNames });
        var decode = new ImageDecodeOptions { TargetSize = new SKSizeI(size, size), Interpolation = Interpolation.Bilinear };
        IAugmentation? augmentation = Get("aug", "light") switch
        {
            "none" => null,
            "keras" => new KerasImageDataGenerator { RotationRange = 180, ZoomRange = 0.1, WidthShiftRange = 0.1, HeightShiftRange = 0.1, HorizontalFlip = true, VerticalFlip = true }.ToPipeline(),
            "flip" => new KerasImageDataGenerator { HorizontalFlip = true }.ToPipeline(),
            "erase" => new AugmentationPipeline(new KerasImageDataGenerator { HorizontalFlip = true }.ToPipeline(), new RandomErasing(D("erase-p", 0.5))),
            _ => new KerasImageDataGenerator { RotationRange = 10, ZoomRange = 0.1, WidthShiftRange = 0.1, HeightShiftRange = 0.1, HorizontalFlip = true }.ToPipeline(),
        };
        using var plain = ImageBatchLoader.ForTraining(train, new TrainingLoaderOptions { BatchSize = batch, Decode = decode, ShuffleSeed = seed });
        using var augmented = ImageBatchLoader.ForTraining(train, new TrainingLoaderOptions { BatchSize = batch, Decode = decode, Augmentation = augmentation, ShuffleSeed = seed, AugmentationSeed = seed + 1 });
        using var validation = ImageBatchLoader.ForEvaluation(valid, new EvaluationLoaderOptions { BatchSize = batch, Decode = decode });
        using var backbone = OnnxBackbone.ResNet18FromPackage();

        LearningRateSchedule Schedule(string name) => name switch
        {
            "onecycle" => LearningRateSchedule.OneCycle(percentStart: D("pct", 0.25), divFactor: D("div", 25)),
            "cosine" => LearningRateSchedule.Cosine(),
            "warmcos" => LearningRateSchedule.WarmupCosine(),
            _ => LearningRateSchedule.Constant,
        };
        OptimizerKind Optimizer(string name) => name switch { "adam" => OptimizerKind.Adam, "rmsprop" => OptimizerKind.RmsProp, "sgd" => OptimizerKind.Sgd, _ => OptimizerKind.AdamW };
        BatchMix? mix = Get("mix", "none") switch { "mixup" => new Mixup(D("alpha", 0.4)), "cutmix" => new CutMix(D("alpha", 1.0)), _ => null };
        int? unfreeze = Get("unfreeze", "all") == "all" ? null : I("unfreeze", 0);
        var options = new TransferTrainerOptions
        {
            HeadPhase = new PhaseOptions
            {
                Epochs = I("head-epochs", 2), Optimizer = Optimizer(Get("head-opt", "adam")), LearningRate = D("head-lr", 2e-3),
                Schedule = Schedule(Get("head-sched", "constant")),
            },
            FineTunePhase = new PhaseOptions
            {
                Epochs = I("ft-epochs", 4), Optimizer = Optimizer(Get("ft-opt", "adamw")), LearningRate = D("ft-lr", 1e-3),
                WeightDecay = D("wd", 0.01), Schedule = Schedule(Get("ft-sched", "onecycle")), UnfreezeLastBlocks = unfreeze,
                EarlierBlocksLearningRateFactor = D("factor", 1.0), MinimumLearningRateFactor = D("min-rate", 0), TrainNormalization = Get("bn", "true") == "true", BatchMix = mix,
                NormalizationMomentum = s.ContainsKey("bnm") ? D("bnm", 0.1) : null,
            },
            LabelSmoothing = D("ls", 0.1),
            Dropout = D("dropout", 0),
            Seed = seed,
            Device = CPU,
        };
        string recal = Get("bn-recal", "none");
        if (recal is "before" or "both") RecalibrateNormalization(backbone, plain);
        using var trainer = new TransferTrainer(backbone, train.ClassNames, options);
        var history = trainer.Fit(new PhaseData(plain, validation), new PhaseData(Get("ft-aug", "true") == "true" ? augmented : plain, validation));
        if (recal is "after" or "both") RecalibrateNormalization(backbone, plain);
        var evaluation = trainer.Evaluate(validation);
        var tta = s.ContainsKey("tta") ? trainer.Evaluate(validation, TestTimeAugmentation.Flips) : null;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        string perEpoch = string.Join(" ", history.Epochs.Select(e => $"{(e.Phase == TrainingPhase.Head ? "h" : "f")}{e.Epoch}:{e.ValidationAccuracy:P1}"));
        Console.WriteLine($"RESULT {string.Join(' ', settings)} | acc {evaluation.Accuracy:P1}{(tta is null ? "" : $" tta {tta.Accuracy:P1}")} | cpu {cpu.TotalSeconds:F0} s wall {clock.Elapsed.TotalSeconds:F0} s | {perEpoch}");
    }

    /// <summary>
    /// Re-estimates every batch norm's running statistics on the training images (AdaBN): a forward pass over one epoch
    /// in training mode without gradients, each batch weighted equally (momentum 1/(k+1) for batch k).
    /// </summary>
    private static void RecalibrateNormalization(TransferLearning.Backbones.PretrainedBackbone backbone, IImageBatchSource source)
    {
        var norms = backbone.Features.modules().OfType<TorchSharp.Modules.NormBase>().ToArray();
        var saved = norms.Select(n => n.momentum).ToArray();
        bool wasTraining = backbone.training;
        backbone.eval();
        foreach (var n in norms) n.train();
        int k = 0;
        using (no_grad())
        {
            foreach (var batch in source.ReadEpoch(0))
            {
                using var scope = NewDisposeScope();
                foreach (var n in norms) n.momentum = 1.0 / (k + 1);
                backbone.forward(batch.Images);
                batch.Dispose();
                k++;
            }
        }
        for (int i = 0; i < norms.Length; i++) norms[i].momentum = saved[i];
        if (wasTraining) backbone.train(); else backbone.eval();
    }
}