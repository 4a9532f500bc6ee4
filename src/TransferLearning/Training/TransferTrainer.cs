using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TransferLearning.Backbones;
using TransferLearning.Data;
using TransferLearning.Imaging;
using TransferLearning.Native;
using TransferLearning.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferLearning.Training;

/// <summary>
/// The two-phase transfer-learning recipe as one object: a classifier head (pooling → dropout → linear, emitting logits)
/// on a <see cref="PretrainedBackbone"/>; <see cref="Fit(IImageBatchSource, IImageBatchSource?, IProgress{TrainingProgress}?, CancellationToken)"/> trains the head with the backbone frozen (phase 1), then
/// unfreezes all or the last blocks and fine-tunes at a low learning rate (phase 2); each phase can have its own data
/// (<see cref="Fit(PhaseData, PhaseData, IProgress{TrainingProgress}?, CancellationToken)"/>) or run on its own
/// (<see cref="FitPhase"/>), and <see cref="ITrainingCallback"/>s hook into every fit, phase, epoch and batch.
/// Evaluates, predicts (softmax only here), saves and loads the whole model with its <see cref="InputContract"/> as one
/// file, checkpoints every epoch and resumes.
/// </summary>
/// <remarks>
/// The trainer moves the backbone to its device and changes its trainability; the caller still owns the backbone
/// (except for trainers made by <see cref="Load"/>, which own theirs). Dispose the trainer to free the head.
/// Not thread-safe: one call at a time.
/// </remarks>
public sealed partial class TransferTrainer : IDisposable
{
    private readonly PretrainedBackbone _backbone;
    private readonly ClassifierHead _head;
    private bool _trainNormalization;
    private readonly string[] _classNames;
    private readonly TransferTrainerOptions _options;
    private readonly ILogger _logger;
    private readonly Device _device;
    private readonly Tensor? _classWeights;
    private readonly bool _ownsBackbone;
    private readonly Generator _generator;
    private (int Height, int Width)? _inputSize;
    private ImageDecodeOptions? _decode;
    private readonly ITrainingCallback[] _callbacks;
    private ResumeState? _resume;
    private bool _disposed;

    /// <summary>Creates a trainer with a freshly initialised head (from <see cref="TransferTrainerOptions.Seed"/>).</summary>
    /// <param name="backbone">The feature extractor; moved to the training device.</param>
    /// <param name="classNames">Class names in index order (at least two, distinct); training sources must use the same.</param>
    /// <param name="options">Settings; copied. <c>null</c> for <see cref="TransferTrainerOptions.Default"/> (10 + 5 epochs, Adam, then one-cycle AdamW).</param>
    /// <param name="logger">Receives one line per epoch; <c>null</c> for none.</param>
    public TransferTrainer(PretrainedBackbone backbone, IReadOnlyList<string> classNames, TransferTrainerOptions? options = null, ILogger<TransferTrainer>? logger = null)
        : this(backbone, classNames, options, logger, ownsBackbone: false)
    {
    }

    private TransferTrainer(PretrainedBackbone backbone, IReadOnlyList<string> classNames, TransferTrainerOptions? options, ILogger? logger, bool ownsBackbone)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count < 2) throw new ArgumentException($"A classifier needs at least 2 classes; got {classNames.Count}.", nameof(classNames));
        if (classNames.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("Class names must not be blank.", nameof(classNames));
        var duplicate = classNames.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new ArgumentException($"Class names must be distinct; '{duplicate.Key}' appears {duplicate.Count()} times.", nameof(classNames));
        TorchNative.EnsureLoaded();
        _options = (options ?? new TransferTrainerOptions()).Copy(classNames.Count);
        _backbone = backbone;
        _ownsBackbone = ownsBackbone;
        _classNames = classNames.ToArray();
        _logger = logger ?? NullLogger.Instance;
        _decode = _options.Decode;
        _inputSize = _options.InputSize ?? (_decode?.TargetSize is { } target ? (target.Height, target.Width) : null);
        _device = _options.Device ?? (TorchNative.IsCudaAvailable ? CUDA : CPU);
        TorchNative.EnsureAvailable(_device); // CUDA on the CPU backend: an error naming the package to add
        _callbacks = DefaultCallbacks(_options).Concat(_options.Callbacks ?? Array.Empty<ITrainingCallback>())
            .Select((c, i) => (c, i)).OrderBy(x => x.c.Order).ThenBy(x => x.i).Select(x => x.c).ToArray();
        History = new TrainingHistory(_classNames);
        FeatureLength = (int)ProbeFeatureLength(backbone);
        _generator = new Generator((ulong)_options.Seed, _device);
        _head = new ClassifierHead(FeatureLength, _classNames.Length, _options.Dropout, _generator);
        _backbone.to(_device);
        if (_options.ClassWeights is { } weights) _classWeights = tensor(weights.ToArray(), device: _device).DetachFromDisposeScope();
    }

    /// <summary>The backbone.</summary>
    public PretrainedBackbone Backbone => _backbone;

    /// <summary>The classifier head.</summary>
    public ClassifierHead Head => _head;

    /// <summary>Class names in index order.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>The options in effect (the trainer's own copy).</summary>
    public TransferTrainerOptions Options => _options;

    /// <summary>The device the model trains and predicts on.</summary>
    public Device Device => _device;

    /// <summary>Length of the pooled feature vector the head takes.</summary>
    public int FeatureLength { get; }

    /// <summary>Height and width predictions from files are resized to: <see cref="TransferTrainerOptions.InputSize"/>, the size of the training images, or the saved model's.</summary>
    public (int Height, int Width)? InputSize => _inputSize;

    /// <summary>
    /// How files and bitmaps are decoded for prediction, and what the model file records: the decode settings of
    /// <see cref="TransferTrainerOptions.Decode"/>, else of the first training source that has them
    /// (<see cref="IImageBatchSource.DecodeOptions"/>, e.g. an <see cref="ImageBatchLoader"/>), else (sources of tensors,
    /// model files written before contracts existed) a bilinear resize to <see cref="InputSize"/>. <c>null</c> while the
    /// input size is unknown.
    /// </summary>
    public InputContract? InputContract => _inputSize is { } size
        ? Training.InputContract.FromDecodeOptions(_decode ?? new ImageDecodeOptions { Interpolation = Interpolation.Bilinear }, size) with { Height = size.Height, Width = size.Width }
        : null;

    /// <summary>
    /// The callbacks every fit runs, in the order they run: the built-ins (<see cref="HistoryCallback"/>,
    /// <see cref="NonFiniteLossGuard"/>, <see cref="LearningRateScheduler"/>, <see cref="ProgressCallback"/>,
    /// <see cref="LoggingCallback"/>, <see cref="EarlyStoppingCallback"/>, and <see cref="CheckpointCallback"/> when
    /// <see cref="TransferTrainerOptions.CheckpointPath"/> is set) and <see cref="TransferTrainerOptions.Callbacks"/>, by
    /// <see cref="ITrainingCallback.Order"/>.
    /// </summary>
    public IReadOnlyList<ITrainingCallback> Callbacks => _callbacks;

    /// <summary>
    /// The history of the last <see cref="Fit(IImageBatchSource, IImageBatchSource?, IProgress{TrainingProgress}?, CancellationToken)"/>
    /// and the <see cref="FitPhase"/> calls after it (including epochs restored from a checkpoint); empty before.
    /// </summary>
    public TrainingHistory History { get; private set; }

    private static long ProbeFeatureLength(PretrainedBackbone backbone)
    {
        if (backbone.Pooling != PoolingMode.Flatten) return backbone.OutputChannels;
        throw new ArgumentException($"Backbone {backbone.Name} uses {PoolingMode.Flatten} pooling, whose feature length depends on the input size; TransferTrainer needs {PoolingMode.GlobalAverage} or {PoolingMode.GlobalMax}.", nameof(backbone));
    }

    private static IEnumerable<ITrainingCallback> DefaultCallbacks(TransferTrainerOptions options)
    {
        yield return new HistoryCallback();
        yield return new NonFiniteLossGuard();
        yield return new LearningRateScheduler();
        yield return new ProgressCallback();
        yield return new LoggingCallback();
        yield return new EarlyStoppingCallback();
        if (options.CheckpointPath is { } path) yield return new CheckpointCallback(path);
    }

    /// <summary>Takes the decode settings of the first training source that has them, unless the options or a loaded model set them.</summary>
    private void RecordDecodeContract(IImageBatchSource train)
    {
        if (_decode != null || train.DecodeOptions is not { TargetSize: { } target } decode) return;
        _decode = decode.Clone();
        _inputSize ??= (target.Height, target.Width);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void CheckClasses(IImageBatchSource source, string parameter)
    {
        ArgumentNullException.ThrowIfNull(source, parameter);
        if (!source.ClassNames.SequenceEqual(_classNames))
            throw new ArgumentException($"{parameter} has classes [{string.Join(", ", source.ClassNames)}] but the model has [{string.Join(", ", _classNames)}]; both must list the same classes in the same order.", parameter);
    }

    /// <summary>Logits of a 0..255 image batch on the device (model modes as they are). Returns a new tensor.</summary>
    private Tensor Logits(Tensor images) => _head.forward(_backbone.forward(images));

    /// <summary>
    /// Logits, or with test-time augmentation the logarithm of the views' averaged softmax probabilities (so that softmax,
    /// argmax and the cross-entropy of the result are those of the averaged distribution).
    /// </summary>
    private Tensor Logits(Tensor images, TestTimeAugmentation? testTimeAugmentation)
    {
        if (testTimeAugmentation is null) return Logits(images);
        var views = testTimeAugmentation.Views;
        Tensor? sum = null;
        foreach (var view in views)
        {
            using var viewed = view.Apply(images);
            var probabilities = nn.functional.softmax(Logits(viewed).to(ScalarType.Float32), 1);
            sum = sum is null ? probabilities : sum.add_(probabilities);
        }
        return sum!.div_(views.Count).clamp_min_(1e-30f).log_();
    }

    /// <summary>Cross-entropy against class indices (int64) or soft labels (float, one row per sample).</summary>
    private Tensor Loss(Tensor logits, Tensor labels) =>
        nn.functional.cross_entropy(logits, labels, weight: _classWeights, label_smoothing: _options.LabelSmoothing);

    /// <summary>Frees the head (and the backbone when the trainer owns it).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _head.Dispose();
        _generator.Dispose();
        _classWeights?.Dispose();
        if (_ownsBackbone) _backbone.Dispose();
    }
}
