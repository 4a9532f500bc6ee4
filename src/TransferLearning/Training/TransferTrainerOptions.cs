using TransferLearning.Imaging;
using TransferLearning.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferLearning.Training;

/// <summary>
/// Everything <see cref="TransferTrainer"/> needs besides the backbone and the classes. Immutable; the trainer keeps its
/// own copy (arrays included), so changing an options object afterwards changes nothing.
/// </summary>
public sealed record TransferTrainerOptions
{
    /// <summary>
    /// The library's default recipe (also what <c>new TransferTrainerOptions()</c> gives): 10 head epochs of Adam 1e-3, then
    /// 5 epochs of one-cycle AdamW fine-tuning (peak 2e-3, fastai's <c>fine_tune</c> warm-up) of the head and the
    /// backbone's five deepest layer groups with discriminative rates, batch norm in inference mode, label smoothing 0.1. See docs/training.md, "The default recipe", for how it was chosen and what it scores.
    /// </summary>
    public static TransferTrainerOptions Default { get; } = new();

    /// <summary>
    /// The seed Keras recipe, exactly: 10 head epochs of Adam 1e-3, then 10 epochs of RMSprop 1e-5 over the whole
    /// backbone with batch norm in inference mode, no label smoothing (<see cref="PhaseOptions.KerasHead"/>,
    /// <see cref="PhaseOptions.KerasFineTune"/>).
    /// </summary>
    public static TransferTrainerOptions Keras { get; } = new() { HeadPhase = PhaseOptions.KerasHead, FineTunePhase = PhaseOptions.KerasFineTune, LabelSmoothing = 0 };

    /// <summary>Phase 1 (backbone frozen, head trained). Default <see cref="PhaseOptions.HeadDefaults"/> (10 epochs, Adam 1e-3).</summary>
    public PhaseOptions HeadPhase { get; init; } = PhaseOptions.HeadDefaults;

    /// <summary>Phase 2 (backbone unfrozen, fine-tuned). Default <see cref="PhaseOptions.FineTuneDefaults"/> (5 epochs, one-cycle AdamW 2e-3, discriminative rates).</summary>
    public PhaseOptions FineTunePhase { get; init; } = PhaseOptions.FineTuneDefaults;

    /// <summary>Dropout probability between the pooled features and the linear layer, in [0, 1). Default 0 (none).</summary>
    public double Dropout { get; init; }

    /// <summary>Cross-entropy label smoothing, in [0, 1). Default 0.1 (fastai's <c>LabelSmoothingCrossEntropy</c>; 0 in <see cref="Keras"/>).</summary>
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>Per-class loss weights in class order (for imbalanced sets), or <c>null</c> for equal weights. Default <c>null</c>.</summary>
    public IReadOnlyList<float>? ClassWeights { get; init; }

    /// <summary>Clip the global gradient norm to this value, or <c>null</c> for no clipping. Default <c>null</c>.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>The k of the top-k accuracy recorded per epoch (clamped to the number of classes). Default 3.</summary>
    public int TopK { get; init; } = 3;

    /// <summary>
    /// Seed of the trainer's own generator (head initialisation, dropout), of its replay shuffles and, while fine-tuning,
    /// of torch's global generator (randomness inside an unfrozen backbone; its state is restored when the fit ends).
    /// Default 42.
    /// </summary>
    public int Seed { get; init; } = 42;

    /// <summary>The device to train on, or <c>null</c> for CUDA when available, else the CPU. Default <c>null</c>.</summary>
    public Device? Device { get; init; }

    /// <summary>Feature caching in the head phase. Default <see cref="Training.FeatureCaching.Auto"/>.</summary>
    public FeatureCaching FeatureCaching { get; init; } = FeatureCaching.Auto;

    /// <summary>
    /// Cached features larger than this many bytes spill to a temporary file (deleted when the phase ends). Default 1 GiB.
    /// </summary>
    public long FeatureCacheMemoryLimitBytes { get; init; } = 1L << 30;

    /// <summary>
    /// A checkpoint file rewritten atomically (temporary file + rename) after every epoch, or <c>null</c> for none.
    /// Resume with <see cref="TransferTrainer.ResumeFrom"/>. Default <c>null</c>.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// Height and width of the model's input, for <see cref="TransferTrainer.Predict(IEnumerable{string})"/> and saved models;
    /// <c>null</c> takes the size of the first training batch. Default <c>null</c>.
    /// </summary>
    public (int Height, int Width)? InputSize { get; init; }

    /// <summary>
    /// The decode settings of the model's <see cref="InputContract"/> (size, interpolation, crop and colour mode), or
    /// <c>null</c> to take those of the first training source that has them (an <see cref="Data.ImageBatchLoader"/>'s).
    /// Copied. Default <c>null</c>.
    /// </summary>
    public ImageDecodeOptions? Decode { get; init; }

    /// <summary>
    /// Callbacks of your own, run with the built-ins (see <see cref="TransferTrainer.Callbacks"/>) by
    /// <see cref="ITrainingCallback.Order"/>. The list is copied; the callbacks are shared. Default <c>null</c> (none).
    /// </summary>
    public IReadOnlyList<ITrainingCallback>? Callbacks { get; init; }

    /// <summary>
    /// Whether CUDA matrix products and convolutions may use TF32 (faster on Ampere and newer GPUs, about 3 decimal digits):
    /// <c>null</c> for on when training on CUDA (PyTorch's advice for transfer learning) and untouched elsewhere. Set
    /// only while the trainer works (fit, evaluate, predict) and put back afterwards, never process-wide. Default <c>null</c>.
    /// </summary>
    public bool? AllowTf32 { get; init; }

    /// <summary>Batch size of predictions and of validation on cached features. Default 32.</summary>
    public int PredictionBatchSize { get; init; } = 32;

    internal TransferTrainerOptions Copy(int classCount)
    {
        ArgumentNullException.ThrowIfNull(HeadPhase, nameof(HeadPhase));
        ArgumentNullException.ThrowIfNull(FineTunePhase, nameof(FineTunePhase));
        HeadPhase.Validate(nameof(HeadPhase));
        FineTunePhase.Validate(nameof(FineTunePhase));
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), $"Dropout must be in [0, 1); got {Dropout}.");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1)) throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), $"LabelSmoothing must be in [0, 1); got {LabelSmoothing}.");
        if (ClassWeights != null)
        {
            if (ClassWeights.Count != classCount) throw new ArgumentException($"ClassWeights must have one weight per class ({classCount}); got {ClassWeights.Count}.", nameof(ClassWeights));
            if (ClassWeights.Any(w => !(w >= 0) || float.IsInfinity(w))) throw new ArgumentOutOfRangeException(nameof(ClassWeights), $"ClassWeights must be finite and >= 0; got [{string.Join(", ", ClassWeights)}].");
        }
        if (GradientClipNorm is { } clip && (!(clip > 0) || double.IsInfinity(clip))) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), $"GradientClipNorm must be a finite value > 0; got {clip}.");
        if (TopK < 1) throw new ArgumentOutOfRangeException(nameof(TopK), $"TopK must be >= 1; got {TopK}.");
        if (!Enum.IsDefined(FeatureCaching)) throw new ArgumentOutOfRangeException(nameof(FeatureCaching), $"Unknown FeatureCaching {FeatureCaching}.");
        if (FeatureCacheMemoryLimitBytes < 0) throw new ArgumentOutOfRangeException(nameof(FeatureCacheMemoryLimitBytes), $"FeatureCacheMemoryLimitBytes must be >= 0; got {FeatureCacheMemoryLimitBytes}.");
        if (InputSize is { } size && (size.Height < 1 || size.Width < 1)) throw new ArgumentOutOfRangeException(nameof(InputSize), $"InputSize must be positive; got {size.Height}x{size.Width}.");
        if (PredictionBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(PredictionBatchSize), $"PredictionBatchSize must be >= 1; got {PredictionBatchSize}.");
        if (CheckpointPath != null && string.IsNullOrWhiteSpace(CheckpointPath)) throw new ArgumentException("CheckpointPath must not be blank; use null for no checkpoints.", nameof(CheckpointPath));
        if (Decode != null)
        {
            Decode.Validate(nameof(Decode));
            if (Decode.TargetSize is null && InputSize is null) throw new ArgumentException("Decode needs a TargetSize (or set InputSize).", nameof(Decode));
        }
        if (Callbacks != null && Callbacks.Any(c => c is null)) throw new ArgumentException("Callbacks must not contain null.", nameof(Callbacks));
        return this with { ClassWeights = ClassWeights?.ToArray(), Decode = Decode?.Clone(), Callbacks = Callbacks?.ToArray() };
    }
}
