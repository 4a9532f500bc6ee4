using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using TransferLearning.Data;

namespace TransferLearning.Training.Callbacks;

/// <summary>
/// The state of a running fit as callbacks see it (fastai's <c>Learner</c> inside a callback). One context lives for one
/// call of <c>Fit</c> or <c>FitPhase</c>; its phase, epoch and batch properties describe the event being delivered.
/// </summary>
public sealed class TrainingContext
{
    private readonly List<ParameterGroup> _groups = new();

    internal TrainingContext(TransferTrainer trainer, TrainingHistory history, ILogger logger, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        Trainer = trainer;
        History = history;
        Logger = logger;
        Progress = progress;
        CancellationToken = cancellationToken;
    }

    /// <summary>The trainer (its backbone, head, options and class names).</summary>
    public TransferTrainer Trainer { get; }

    /// <summary>The history this fit appends to (the epoch just ended is in it from <see cref="CallbackOrder.History"/> on).</summary>
    public TrainingHistory History { get; }

    /// <summary>The trainer's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>The progress receiver passed to the fit, or <c>null</c>.</summary>
    public IProgress<TrainingProgress>? Progress { get; }

    /// <summary>The fit's cancellation token (the trainer checks it between batches).</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The running phase.</summary>
    public TrainingPhase Phase { get; private set; }

    /// <summary>The running phase's options.</summary>
    public PhaseOptions PhaseOptions { get; private set; } = PhaseOptions.HeadDefaults;

    /// <summary>The running phase's training source.</summary>
    public IImageBatchSource Train { get; private set; } = null!;

    /// <summary>The running phase's validation source, or <c>null</c>.</summary>
    public IImageBatchSource? Validation { get; private set; }

    /// <summary>The optimizer's parameter groups in the running phase: the head first, then the backbone's unfrozen groups from the deepest.</summary>
    public IReadOnlyList<ParameterGroup> ParameterGroups => _groups;

    /// <summary>Whether the running epoch trains the head on cached backbone features.</summary>
    public bool FromFeatureCache { get; internal set; }

    /// <summary>Epoch within the phase, 0-based.</summary>
    public int Epoch { get; private set; }

    /// <summary>Epochs the phase plans.</summary>
    public int EpochCount { get; private set; }

    /// <summary>Batch within the epoch, 0-based.</summary>
    public int Batch { get; private set; }

    /// <summary>Batches per epoch (<see cref="IImageBatchSource.BatchesPerEpoch"/>).</summary>
    public int BatchCount { get; private set; }

    /// <summary>Training step within the phase, 0-based: <c>Epoch × BatchCount + Batch</c> (what per-step schedules follow).</summary>
    public long Step => (long)Epoch * BatchCount + Batch;

    /// <summary>Training steps the phase plans: <c>EpochCount × BatchCount</c>.</summary>
    public long StepCount => (long)EpochCount * BatchCount;

    /// <summary>Samples in the batch just run (at <see cref="ITrainingCallback.OnBatchEnd"/>).</summary>
    public int BatchSamples { get; private set; }

    /// <summary>The loss of the batch just run (at <see cref="ITrainingCallback.OnBatchEnd"/>); <c>null</c> elsewhere. A non-finite loss was not applied to the weights.</summary>
    public double? BatchLoss { get; private set; }

    /// <summary>Mean training loss of the epoch so far.</summary>
    public double RunningLoss => _totals?.MeanLoss ?? double.NaN;

    /// <summary>Training accuracy of the epoch so far, 0..1.</summary>
    public double RunningAccuracy => _totals?.Accuracy ?? 0;

    /// <summary>Training samples of the epoch so far.</summary>
    public long EpochSamples => _totals?.Samples ?? 0;

    /// <summary>Time since the epoch's first batch started.</summary>
    public TimeSpan EpochElapsed => _epochClock?.Elapsed ?? TimeSpan.Zero;

    /// <summary>The epoch's metrics (at <see cref="ITrainingCallback.OnEpochEnd"/>); <c>null</c> elsewhere.</summary>
    public EpochMetrics? EpochMetrics { get; private set; }

    /// <summary>The exception that ends the fit (at <see cref="ITrainingCallback.OnFitEnd"/>), or <c>null</c>.</summary>
    public Exception? Error { get; internal set; }

    /// <summary>Whether a callback asked the phase to end (after the current batch, or after the current epoch's end).</summary>
    public bool IsPhaseStopRequested { get; private set; }

    /// <summary>Whether a callback asked the whole fit to end: the phase ends, and no later phase runs.</summary>
    public bool IsFitStopRequested { get; private set; }

    /// <summary>Why the last stop was requested, or <c>null</c>.</summary>
    public string? StopReason { get; private set; }

    /// <summary>
    /// Ends the running phase. Asked at a batch's end, the epoch stops after that batch, is validated and recorded
    /// (Keras' <c>stop_training</c>); asked at an epoch's end, the phase ends there. Later phases still run.
    /// </summary>
    /// <param name="reason">Logged; for example "val loss below 0.1".</param>
    public void StopPhase(string reason)
    {
        IsPhaseStopRequested = true;
        StopReason = reason;
    }

    /// <summary>Ends the running phase as <see cref="StopPhase"/> does, and the fit with it: no later phase runs.</summary>
    /// <param name="reason">Logged.</param>
    public void StopFit(string reason)
    {
        StopPhase(reason);
        IsFitStopRequested = true;
    }

    /// <summary>Whether the epoch being delivered is the phase's last: all planned epochs, or a stop was requested.</summary>
    public bool IsLastEpoch => IsPhaseStopRequested || Epoch == EpochCount - 1;

    // The trainer's side: state shared with the built-in callbacks.
    internal PhaseState State { get; private set; } = new();

    internal OptimizerHelper? Optimizer { get; private set; }

    private EpochTotals? _totals;
    private System.Diagnostics.Stopwatch? _epochClock;

    internal void BeginPhase(TrainingPhase phase, PhaseOptions options, PhaseData data, OptimizerHelper optimizer, IEnumerable<ParameterGroup> groups, PhaseState state)
    {
        Phase = phase;
        PhaseOptions = options;
        Train = data.Train;
        Validation = data.Validation;
        Optimizer = optimizer;
        State = state;
        _groups.Clear();
        _groups.AddRange(groups);
        EpochCount = options.Epochs;
        BatchCount = data.Train.BatchesPerEpoch;
        IsPhaseStopRequested = false;
        FromFeatureCache = false;
        Epoch = 0;
        Batch = 0;
    }

    internal void EndPhase()
    {
        Optimizer = null;
        _groups.Clear();
        EpochMetrics = null;
    }

    internal void BeginEpoch(int epoch, EpochTotals totals, System.Diagnostics.Stopwatch clock)
    {
        Epoch = epoch;
        Batch = 0;
        BatchLoss = null;
        EpochMetrics = null;
        _totals = totals;
        _epochClock = clock;
    }

    internal void BeginBatch(int batch)
    {
        Batch = batch;
        BatchLoss = null;
        BatchSamples = 0;
    }

    internal void EndBatch(double loss, int samples)
    {
        BatchLoss = loss;
        BatchSamples = samples;
    }

    internal void EndEpoch(EpochMetrics metrics)
    {
        BatchLoss = null;
        EpochMetrics = metrics;
    }
}
