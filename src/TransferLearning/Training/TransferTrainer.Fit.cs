using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TransferLearning.Data;
using TransferLearning.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    /// <summary>
    /// Runs the recipe on one pair of sources: phase 1 trains the head with the backbone frozen (in inference mode, on
    /// cached features when possible), phase 2 unfreezes the backbone (all or the last blocks) and fine-tunes it with the
    /// head. A phase with 0 epochs is skipped. After <see cref="ResumeFrom"/>, continues where the checkpoint left off.
    /// Starts a new <see cref="History"/> (or the checkpoint's).
    /// </summary>
    /// <param name="train">Training batches of both phases; its classes must equal <see cref="ClassNames"/>.</param>
    /// <param name="valid">Validation batches (never augmented by the trainer), or <c>null</c>: then early stopping and plateau schedules watch the training metrics.</param>
    /// <param name="progress">Receives a report after every training batch, or <c>null</c>.</param>
    /// <param name="cancellationToken">Checked between batches; cancelling throws <see cref="OperationCanceledException"/> and leaves the last epoch's checkpoint.</param>
    /// <returns>The history of every epoch (also in <see cref="History"/>).</returns>
    /// <exception cref="NonFiniteLossException">A batch's loss was NaN or infinite.</exception>
    public TrainingHistory Fit(IImageBatchSource train, IImageBatchSource? valid = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var data = new PhaseData(train, valid);
        return Fit(data, data, progress, cancellationToken);
    }

    /// <summary>
    /// Runs the recipe with each phase on its own data — for example the head phase on an unaugmented loader (so its
    /// frozen-backbone features are computed once and cached) and the fine-tuning on an augmented one. Otherwise as
    /// <see cref="Fit(IImageBatchSource, IImageBatchSource?, IProgress{TrainingProgress}?, CancellationToken)"/>: one history across both phases.
    /// </summary>
    /// <param name="head">Data of phase 1 (backbone frozen).</param>
    /// <param name="fineTune">Data of phase 2 (backbone unfrozen).</param>
    /// <param name="progress">Receives a report after every training batch, or <c>null</c>.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>The history of every epoch of both phases.</returns>
    public TrainingHistory Fit(PhaseData head, PhaseData fineTune, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(fineTune);
        var resume = _resume;
        _resume = null;
        var history = resume?.History ?? new TrainingHistory(_classNames);
        return Run(new[] { (TrainingPhase.Head, _options.HeadPhase, head), (TrainingPhase.FineTune, _options.FineTunePhase, fineTune) },
            history, resume, progress, cancellationToken);
    }

    /// <summary>
    /// Runs one phase on its own, appending to <see cref="History"/> — Keras' separate <c>fit</c> calls: call it once for
    /// the head and once (or more, with other options, for example unfreezing more blocks each time) to fine-tune.
    /// After <see cref="ResumeFrom"/> it continues the checkpoint's history; asked for the checkpoint's unfinished phase it
    /// continues that phase where it stopped, and a phase the checkpoint had already finished (or passed) is not run again.
    /// </summary>
    /// <param name="phase"><see cref="TrainingPhase.Head"/> freezes the whole backbone; <see cref="TrainingPhase.FineTune"/> unfreezes it as the options say.</param>
    /// <param name="data">The phase's training and validation sources.</param>
    /// <param name="options">The phase's settings; <c>null</c> for the trainer's own (<see cref="TransferTrainerOptions.HeadPhase"/> or <see cref="TransferTrainerOptions.FineTunePhase"/>).</param>
    /// <param name="progress">Receives a report after every training batch, or <c>null</c>.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>The whole history, this phase's epochs last.</returns>
    public TrainingHistory FitPhase(TrainingPhase phase, PhaseData data, PhaseOptions? options = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(data);
        if (!Enum.IsDefined(phase)) throw new ArgumentOutOfRangeException(nameof(phase), $"Unknown phase {phase}.");
        options ??= phase == TrainingPhase.Head ? _options.HeadPhase : _options.FineTunePhase;
        options.Validate(nameof(options));
        var resume = _resume;
        _resume = null;
        var history = resume?.History ?? History;
        return Run(new[] { (phase, options, data) }, history, resume, progress, cancellationToken);
    }

    private TrainingHistory Run(IReadOnlyList<(TrainingPhase Phase, PhaseOptions Options, PhaseData Data)> plan, TrainingHistory history, ResumeState? resume,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var steps = new List<(TrainingPhase Phase, PhaseOptions Options, PhaseData Data, ResumeState? Resume)>();
        foreach (var (phase, options, data) in plan)
        {
            ResumeState? phaseResume = null;
            if (resume != null && phase <= resume.Phase)
            {
                if (phase < resume.Phase || resume.PhaseFinished) continue;
                phaseResume = resume;
            }
            if (options.Epochs == 0) continue;
            CheckTrainingData(data, phase);
            steps.Add((phase, options, data, phaseResume));
        }
        History = history;
        var context = new TrainingContext(this, history, _logger, progress, cancellationToken);
        var callbacks = Callbacks;
        using var globals = new TorchGlobalsScope(_device, _options.AllowTf32, saveGenerator: true);
        try
        {
            Invoke(callbacks, c => c.OnFitBegin(context));
            foreach (var (phase, options, data, phaseResume) in steps)
            {
                RecordDecodeContract(data.Train);
                RunPhase(context, callbacks, phase, options, data, phaseResume);
                if (context.IsFitStopRequested) break;
            }
        }
        catch (Exception e)
        {
            context.Error = e;
            _backbone.eval();
            _head.eval();
            try
            {
                Invoke(callbacks, c => c.OnFitEnd(context));
            }
            catch (Exception inner)
            {
                _logger.LogError(inner, "A callback failed in OnFitEnd after the fit failed with {Error}.", e.GetType().Name);
            }
            throw;
        }
        _backbone.eval();
        _head.eval();
        Invoke(callbacks, c => c.OnFitEnd(context));
        return history;
    }

    private void CheckTrainingData(PhaseData data, TrainingPhase phase)
    {
        string name = phase == TrainingPhase.Head ? "head" : "fineTune";
        CheckClasses(data.Train, $"{name}.Train");
        if (data.Validation != null) CheckClasses(data.Validation, $"{name}.Validation");
        var train = data.Train;
        if (train.SampleCount < 1 || train.BatchesPerEpoch < 1 || train.BatchSize < 1)
            throw new ArgumentException($"The {phase} phase's training source must yield samples; it has SampleCount={train.SampleCount}, BatchesPerEpoch={train.BatchesPerEpoch}, BatchSize={train.BatchSize}.", name);
    }

    private static void Invoke(IReadOnlyList<ITrainingCallback> callbacks, Action<ITrainingCallback> action)
    {
        foreach (var callback in callbacks) action(callback);
    }

    private void RunPhase(TrainingContext context, IReadOnlyList<ITrainingCallback> callbacks, TrainingPhase phase, PhaseOptions options, PhaseData data, ResumeState? resume)
    {
        bool headPhase = phase == TrainingPhase.Head;
        var train = data.Train;
        var valid = data.Validation;
        ConfigureTrainability(phase, options);
        var groups = ParameterGroups(phase, options);
        using var optimizer = CreateOptimizer(options, groups);
        var state = new PhaseState();
        int startEpoch = 0;
        if (resume != null)
        {
            using (var reader = new BinaryReader(new MemoryStream(resume.OptimizerState))) optimizer.load_state_dict(reader);
            state = resume.State;
            startEpoch = resume.EpochsCompleted;
        }
        var rates = optimizer.ParamGroups.ToArray();
        context.BeginPhase(phase, options, data, optimizer, groups.Select((g, i) => new ParameterGroup(g.Name, g.LearningRate, rates[i])), state);

        bool cache = headPhase && UseFeatureCache(train, options);
        if (headPhase && !cache && _options.FeatureCaching == FeatureCaching.Auto)
            _logger.LogInformation(options.BatchMix != null
                ? "Feature cache off for the head phase: it mixes its batches ({BatchMix}), so every epoch runs the frozen backbone."
                : "Feature cache off for the head phase: its training source is randomly augmented, so every epoch runs the frozen backbone. Give the head phase an unaugmented source (Fit(PhaseData, PhaseData)) to cache it.",
                options.BatchMix);
        FeatureCache? trainCache = null, validCache = null;
        IEpochOrderProvider? exactOrder = null;
        try
        {
            Invoke(callbacks, c => c.OnPhaseBegin(context));
            for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                if (cache && trainCache == null)
                {
                    (trainCache, exactOrder) = BuildTrainCache(train, startEpoch, options.Epochs, context.CancellationToken);
                    if (valid != null && !valid.IsAugmented) validCache = BuildSequentialCache(valid, valid.SampleCount, 0, context.CancellationToken);
                }
                // Reseed per epoch: dropout masks (the head's generator) and any randomness of an unfrozen backbone (torch's
                // global generator, restored when the fit ends) depend on (seed, phase, epoch) only, so cached and uncached
                // runs and resumed runs draw the same numbers.
                long seed = Seeds.Mix(_options.Seed, (int)phase, epoch);
                _generator.manual_seed(seed);
                if (!headPhase) ReseedGlobalGenerator(seed);
                var totals = new EpochTotals();
                context.FromFeatureCache = trainCache != null;
                context.BeginEpoch(epoch, totals, clock);
                Invoke(callbacks, c => c.OnEpochBegin(context));
                if (trainCache != null) TrainEpochOnCache(trainCache, exactOrder, train, optimizer, context, callbacks, totals);
                else TrainEpoch(train, optimizer, headPhase, options.BatchMix, context, callbacks, totals);
                EpochTotals? validated = null;
                if (valid != null)
                    validated = validCache != null ? EvaluateCache(validCache, context.CancellationToken) : EvaluateSource(valid, context.CancellationToken, sink: null);
                clock.Stop();

                var metrics = new EpochMetrics
                {
                    Phase = phase,
                    Epoch = epoch + 1,
                    GlobalEpoch = context.History.Epochs.Count + 1,
                    LearningRate = context.ParameterGroups[0].LearningRate,
                    TrainLoss = totals.MeanLoss,
                    TrainAccuracy = totals.Accuracy,
                    TrainTopKAccuracy = totals.TopKAccuracy,
                    ValidationLoss = validated?.MeanLoss,
                    ValidationAccuracy = validated?.Accuracy,
                    ValidationTopKAccuracy = validated?.TopKAccuracy,
                    TopK = TopK,
                    FromFeatureCache = trainCache != null,
                    Seconds = clock.Elapsed.TotalSeconds,
                    ImagesPerSecond = totals.Samples / Math.Max(totals.Seconds, 1e-9),
                };
                context.EndEpoch(metrics);
                Invoke(callbacks, c => c.OnEpochEnd(context));
                if (context.IsPhaseStopRequested) break;
            }
            if (context.IsPhaseStopRequested && context.StopReason is { } reason)
                _logger.LogInformation("{Phase}: stopped after epoch {Epoch}: {Reason}.", phase, context.Epoch + 1, reason);
            Invoke(callbacks, c => c.OnPhaseEnd(context));
        }
        finally
        {
            RestoreNormalizationMomentum();
            context.EndPhase();
            trainCache?.Dispose();
            validCache?.Dispose();
        }
    }

    private void ReseedGlobalGenerator(long seed)
    {
        random.manual_seed(seed);
        if (_device.type == TorchSharp.DeviceType.CUDA) cuda.manual_seed_all(seed);
    }
}
