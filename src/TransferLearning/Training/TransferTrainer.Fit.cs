using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using TransferLearning.Data;
using static TorchSharp.torch;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    /// <summary>
    /// Runs the recipe: phase 1 trains the head with the backbone frozen (in inference mode, on cached features when
    /// possible), phase 2 unfreezes the backbone (all or the last blocks) and fine-tunes it with the head. A phase with 0
    /// epochs is skipped. After <see cref="ResumeFrom"/>, continues where the checkpoint left off.
    /// </summary>
    /// <param name="train">Training batches; its classes must equal <see cref="ClassNames"/>.</param>
    /// <param name="valid">Validation batches (never augmented by the trainer), or <c>null</c>: then early stopping and plateau schedules watch the training metrics.</param>
    /// <param name="progress">Receives a report after every training batch, or <c>null</c>.</param>
    /// <param name="cancellationToken">Checked between batches; cancelling throws <see cref="OperationCanceledException"/> and leaves the last epoch's checkpoint.</param>
    /// <returns>The history of every epoch (also in <see cref="History"/>).</returns>
    /// <exception cref="NonFiniteLossException">A batch's loss was NaN or infinite.</exception>
    public TrainingHistory Fit(IImageBatchSource train, IImageBatchSource? valid = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckClasses(train, nameof(train));
        if (valid != null) CheckClasses(valid, nameof(valid));
        if (train.SampleCount < 1 || train.BatchesPerEpoch < 1)
            throw new ArgumentException($"train must yield samples; it has SampleCount={train.SampleCount}, BatchesPerEpoch={train.BatchesPerEpoch}.", nameof(train));
        var resume = _resume;
        _resume = null;
        var history = resume?.History ?? new TrainingHistory(_classNames);
        History = history;
        try
        {
            foreach (var phase in new[] { TrainingPhase.Head, TrainingPhase.FineTune })
            {
                var phaseOptions = phase == TrainingPhase.Head ? _options.HeadPhase : _options.FineTunePhase;
                ResumeState? phaseResume = null;
                if (resume != null && phase <= resume.Phase)
                {
                    if (phase < resume.Phase || resume.PhaseFinished) continue;
                    phaseResume = resume;
                }
                if (phaseOptions.Epochs == 0) continue;
                RunPhase(phase, phaseOptions, train, valid, history, phaseResume, progress, cancellationToken);
            }
        }
        finally
        {
            _backbone.eval();
            _head.eval();
        }
        return history;
    }

    private void RunPhase(TrainingPhase phase, PhaseOptions options, IImageBatchSource train, IImageBatchSource? valid, TrainingHistory history,
        ResumeState? resume, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        bool headPhase = phase == TrainingPhase.Head;
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

        bool cache = headPhase && UseFeatureCache(train);
        FeatureCache? trainCache = null, validCache = null;
        IEpochOrderProvider? exactOrder = null;
        try
        {
            for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                double multiplier = state.LearningRateMultiplier(options, epoch);
                var groupRates = optimizer.ParamGroups.ToArray();
                for (int g = 0; g < groups.Count; g++) groupRates[g].LearningRate = groups[g].LearningRate * multiplier;
                if (cache && trainCache == null)
                {
                    (trainCache, exactOrder) = BuildTrainCache(train, cancellationToken);
                    if (valid != null && !valid.IsAugmented) validCache = BuildValidationCache(valid, cancellationToken);
                }
                // Reseed per epoch: dropout masks depend on (seed, phase, epoch) only, so cached and uncached runs and
                // resumed runs draw the same numbers.
                SeedTorch(Seeds.Mix(_options.Seed, (int)phase, epoch));
                var context = new EpochContext(phase, epoch, options.Epochs, train.BatchesPerEpoch, progress, cancellationToken);
                var trained = trainCache != null
                    ? TrainEpochOnCache(trainCache, exactOrder, train, optimizer, context)
                    : TrainEpoch(train, optimizer, headPhase, context);
                Totals? validated = null;
                if (valid != null)
                    validated = validCache != null ? EvaluateCache(validCache, cancellationToken) : EvaluateSource(valid, cancellationToken, confusion: null);
                clock.Stop();

                var metrics = new EpochMetrics
                {
                    Phase = phase,
                    Epoch = epoch + 1,
                    GlobalEpoch = history.Epochs.Count + 1,
                    LearningRate = options.LearningRate * multiplier,
                    TrainLoss = trained.MeanLoss,
                    TrainAccuracy = trained.Accuracy,
                    TrainTopKAccuracy = trained.TopKAccuracy,
                    ValidationLoss = validated?.MeanLoss,
                    ValidationAccuracy = validated?.Accuracy,
                    ValidationTopKAccuracy = validated?.TopKAccuracy,
                    TopK = TopK,
                    FromFeatureCache = trainCache != null,
                    Seconds = clock.Elapsed.TotalSeconds,
                    ImagesPerSecond = trained.Samples / Math.Max(trained.Seconds, 1e-9),
                };
                history.Add(metrics);
                LogEpoch(metrics, options.Epochs);

                bool improved = state.Update(options, metrics, out bool stop);
                if (improved && options.EarlyStopping is { RestoreBestWeights: true })
                    state.Best = Snapshot(includeBackbone: !headPhase);
                bool finished = stop || epoch == options.Epochs - 1;
                if (finished && options.EarlyStopping is { RestoreBestWeights: true } && state.Best != null && state.BestEpoch != epoch)
                {
                    Restore(state.Best);
                    _logger.LogInformation("{Phase}: restored the weights of epoch {Epoch} (best {Monitor}).", phase, state.BestEpoch + 1, options.EarlyStopping.Monitor);
                }
                if (_options.CheckpointPath != null)
                    WriteCheckpoint(_options.CheckpointPath, phase, epoch + 1, finished, optimizer, state, history);
                if (stop)
                {
                    _logger.LogInformation("{Phase}: early stopping after epoch {Epoch}: no improvement of {Monitor} for {Patience} epochs.", phase, epoch + 1, options.EarlyStopping!.Monitor, options.EarlyStopping.Patience);
                    break;
                }
            }
        }
        finally
        {
            trainCache?.Dispose();
            validCache?.Dispose();
        }
    }

    private int TopK => Math.Min(_options.TopK, _classNames.Length);

    private void ConfigureTrainability(TrainingPhase phase, PhaseOptions options)
    {
        if (phase == TrainingPhase.Head)
        {
            _backbone.Freeze();
            _backbone.eval();
        }
        else
        {
            if (options.UnfreezeLastBlocks is { } last)
            {
                if (last > _backbone.LayerGroups.Count)
                    throw new ArgumentOutOfRangeException(nameof(options), $"FineTunePhase.UnfreezeLastBlocks is {last} but backbone {_backbone.Name} has {_backbone.LayerGroups.Count} layer groups.");
                _backbone.Unfreeze(last);
            }
            else
            {
                _backbone.Unfreeze();
            }
            _trainNormalization = options.TrainNormalization;
            _backbone.train();
            ApplyNormalizationMode();
        }
        _head.train();
    }

    /// <summary>
    /// Unless the phase trains normalisation layers, puts every normalisation layer of the backbone in inference mode
    /// (the frozen groups' ones are already kept there by <see cref="Backbones.PretrainedBackbone"/>).
    /// </summary>
    private void ApplyNormalizationMode()
    {
        if (_trainNormalization || !_backbone.training) return;
        foreach (var module in _backbone.Features.modules().OfType<NormBase>())
            module.eval();
    }

    private sealed record GroupSpec(IReadOnlyList<Parameter> Parameters, double LearningRate, string Name);

    /// <summary>Head first, then the backbone's unfrozen layer groups from the deepest, each with its own learning rate.</summary>
    private List<GroupSpec> ParameterGroups(TrainingPhase phase, PhaseOptions options)
    {
        var groups = new List<GroupSpec> { new(_head.parameters().ToArray(), options.LearningRate, "head") };
        if (phase == TrainingPhase.Head) return groups;
        var seen = new HashSet<IntPtr>();
        var layerGroups = _backbone.LayerGroups;
        int depth = 0;
        for (int i = layerGroups.Count - 1; i >= 0; i--)
        {
            if (layerGroups[i].IsFrozen) continue;
            var parameters = layerGroups[i].Parameters().Where(p => p.requires_grad && seen.Add(p.Handle)).ToArray();
            double rate = options.LearningRate * Math.Pow(options.EarlierBlocksLearningRateFactor, depth++);
            if (parameters.Length > 0) groups.Add(new GroupSpec(parameters, rate, layerGroups[i].Name));
        }
        var rest = _backbone.parameters().Where(p => p.requires_grad && seen.Add(p.Handle)).ToArray();
        if (rest.Length > 0) groups.Add(new GroupSpec(rest, options.LearningRate, "other"));
        return groups;
    }

    private static OptimizerHelper CreateOptimizer(PhaseOptions options, List<GroupSpec> groups)
    {
        double wd = options.WeightDecay;
        return options.Optimizer switch
        {
            OptimizerKind.Adam => optim.Adam(groups.Select(g => new Adam.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: wd)), lr: options.LearningRate, weight_decay: wd),
            OptimizerKind.AdamW => optim.AdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: wd)), lr: options.LearningRate, weight_decay: wd),
            OptimizerKind.RmsProp => optim.RMSProp(groups.Select(g => new RMSProp.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: wd)), lr: options.LearningRate, weight_decay: wd),
            OptimizerKind.Sgd => optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, lr: g.LearningRate, momentum: 0.9, weight_decay: wd)), learningRate: options.LearningRate, momentum: 0.9, weight_decay: wd),
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"Unknown optimizer {options.Optimizer}."),
        };
    }

    private bool UseFeatureCache(IImageBatchSource train) => _options.FeatureCaching switch
    {
        FeatureCaching.Off => false,
        FeatureCaching.On when train.IsAugmented => throw new InvalidOperationException(
            "FeatureCaching is On but the training source is randomly augmented: cached features would freeze one random draw. Use Auto or Off, or remove the augmentation."),
        FeatureCaching.On => true,
        _ => !train.IsAugmented,
    };

    private sealed record EpochContext(TrainingPhase Phase, int Epoch, int EpochCount, int BatchCount, IProgress<TrainingProgress>? Progress, CancellationToken CancellationToken);

    /// <summary>Sums over an epoch: loss × samples, correct, top-k correct, samples.</summary>
    private sealed class Totals
    {
        public double LossSum;
        public long Correct;
        public long TopKCorrect;
        public long Samples;
        public double Seconds;

        public double MeanLoss => Samples == 0 ? double.NaN : LossSum / Samples;
        public double Accuracy => Samples == 0 ? 0 : (double)Correct / Samples;
        public double TopKAccuracy => Samples == 0 ? 0 : (double)TopKCorrect / Samples;
    }

    private Totals TrainEpoch(IImageBatchSource train, OptimizerHelper optimizer, bool backboneFrozen, EpochContext context)
    {
        var totals = new Totals();
        var clock = Stopwatch.StartNew();
        int batchIndex = 0;
        foreach (var batch in train.ReadEpoch(context.Epoch, _device, context.CancellationToken))
        {
            using (batch)
            {
                RecordInputSize(batch.Images);
                using var scope = NewDisposeScope();
                Tensor features;
                if (backboneFrozen)
                {
                    using (no_grad()) features = _backbone.forward(batch.Images);
                }
                else
                {
                    features = _backbone.forward(batch.Images);
                }
                Step(optimizer, features, batch.Labels, totals, context, ++batchIndex);
            }
            Report(totals, clock, context, batchIndex, fromCache: false);
            context.CancellationToken.ThrowIfCancellationRequested();
        }
        totals.Seconds = clock.Elapsed.TotalSeconds;
        return totals;
    }

    private Totals TrainEpochOnCache(FeatureCache cache, IEpochOrderProvider? exactOrder, IImageBatchSource train, OptimizerHelper optimizer, EpochContext context)
    {
        var totals = new Totals();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<int> order;
        int batchSize, batchCount;
        if (exactOrder != null)
        {
            order = exactOrder.GetEpochOrder(context.Epoch);
            batchSize = exactOrder.BatchSize;
            batchCount = train.BatchesPerEpoch;
        }
        else
        {
            var shuffled = Enumerable.Range(0, cache.SampleCount).ToArray();
            new Random(Seeds.Mix(_options.Seed, (int)context.Phase, context.Epoch)).Shuffle(shuffled);
            order = shuffled;
            batchSize = (train.SampleCount + train.BatchesPerEpoch - 1) / train.BatchesPerEpoch;
            batchCount = (cache.SampleCount + batchSize - 1) / batchSize;
        }
        for (int b = 0; b < batchCount && b * batchSize < order.Count; b++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var indices = new int[Math.Min(batchSize, order.Count - b * batchSize)];
            for (int i = 0; i < indices.Length; i++) indices[i] = order[b * batchSize + i];
            using (var scope = NewDisposeScope())
            {
                var (features, labels) = cache.Gather(indices);
                Step(optimizer, features, labels, totals, context, b + 1);
            }
            Report(totals, clock, context, b + 1, fromCache: true);
        }
        totals.Seconds = clock.Elapsed.TotalSeconds;
        return totals;
    }

    /// <summary>Head forward, loss, backward, clipping, optimizer step; accumulates the batch's statistics with one device sync.</summary>
    private void Step(OptimizerHelper optimizer, Tensor features, Tensor labels, Totals totals, EpochContext context, int batchNumber)
    {
        var logits = _head.forward(features);
        var loss = Loss(logits, labels);
        var stats = BatchStatistics(logits, labels, loss);
        double lossValue = stats[0];
        if (!double.IsFinite(lossValue)) throw new NonFiniteLossException(context.Phase, context.Epoch + 1, batchNumber, lossValue);
        optimizer.zero_grad();
        loss.backward();
        if (_options.GradientClipNorm is { } clip)
            nn.utils.clip_grad_norm_(optimizer.parameters(), clip);
        optimizer.step();
        int n = (int)labels.shape[0];
        totals.LossSum += lossValue * n;
        totals.Correct += (long)stats[1];
        totals.TopKCorrect += (long)stats[2];
        totals.Samples += n;
    }

    /// <summary>[loss, correct, top-k correct] as doubles, read from the device at once.</summary>
    private double[] BatchStatistics(Tensor logits, Tensor labels, Tensor loss)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var correct = logits.argmax(1).eq(labels).sum().to(ScalarType.Float32);
        var topK = logits.topk(TopK, dim: 1).indexes.eq(labels.unsqueeze(1)).any(1).sum().to(ScalarType.Float32);
        var values = stack(new[] { loss.detach().to(ScalarType.Float32), correct, topK }).cpu().data<float>().ToArray();
        return values.Select(v => (double)v).ToArray();
    }

    private void Report(Totals totals, Stopwatch clock, EpochContext context, int batchNumber, bool fromCache)
    {
        if (context.Progress == null) return;
        double elapsed = clock.Elapsed.TotalSeconds;
        double perBatch = elapsed / batchNumber;
        int remainingBatches = Math.Max(0, context.BatchCount - batchNumber) + (context.EpochCount - context.Epoch - 1) * context.BatchCount;
        context.Progress.Report(new TrainingProgress(context.Phase, context.Epoch + 1, context.EpochCount, batchNumber, context.BatchCount,
            totals.MeanLoss, totals.Accuracy, totals.Samples / Math.Max(elapsed, 1e-9), TimeSpan.FromSeconds(perBatch * remainingBatches), fromCache));
    }

    private void RecordInputSize(Tensor images)
    {
        _inputSize ??= ((int)images.shape[2], (int)images.shape[3]);
    }

    /// <summary>
    /// Runs the frozen backbone over the training set once. With an <see cref="IEpochOrderProvider"/> the features are
    /// stored by sample index so every epoch can replay the source's own order; otherwise in reading order.
    /// </summary>
    private (FeatureCache Cache, IEpochOrderProvider? ExactOrder) BuildTrainCache(IImageBatchSource train, CancellationToken cancellationToken)
    {
        var cache = new FeatureCache(train.SampleCount, FeatureLength, _options.FeatureCacheMemoryLimitBytes, _device);
        try
        {
            if (train is IEpochOrderProvider provider)
            {
                for (int epoch = 0; epoch < 4 && !cache.IsComplete; epoch++)
                {
                    var order = provider.GetEpochOrder(epoch);
                    int position = 0;
                    bool consistent = true;
                    foreach (var batch in train.ReadEpoch(epoch, _device, cancellationToken))
                    {
                        using (batch)
                        {
                            var indices = order.Skip(position).Take(batch.Count).ToArray();
                            position += batch.Count;
                            if (indices.Length != batch.Count || indices.Where((index, i) => provider.SampleId(index) != batch.Files[i]).Any())
                            {
                                consistent = false;
                                break;
                            }
                            StoreFeatures(cache, indices, batch);
                        }
                    }
                    if (!consistent)
                    {
                        _logger.LogWarning("The training source's batches do not follow its announced order; the feature cache shuffles on its own.");
                        cache.Dispose();
                        return (BuildSequentialCache(train, train.SampleCount, cancellationToken), null);
                    }
                }
                if (cache.IsComplete)
                {
                    _logger.LogDebug("Cached {Samples} x {Length} training features ({Where}).", cache.SampleCount, cache.FeatureLength, cache.IsSpilled ? "temporary file" : "memory");
                    return (cache, provider);
                }
                cache.Dispose();
            }
            else
            {
                cache.Dispose();
            }
            return (BuildSequentialCache(train, train.SampleCount, cancellationToken), null);
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    private FeatureCache BuildValidationCache(IImageBatchSource valid, CancellationToken cancellationToken) =>
        BuildSequentialCache(valid, valid.SampleCount, cancellationToken);

    private FeatureCache BuildSequentialCache(IImageBatchSource source, int capacity, CancellationToken cancellationToken)
    {
        var cache = new FeatureCache(capacity, FeatureLength, _options.FeatureCacheMemoryLimitBytes, _device);
        try
        {
            int position = 0;
            foreach (var batch in source.ReadEpoch(0, _device, cancellationToken))
            {
                using (batch)
                {
                    if (position + batch.Count > capacity)
                        throw new InvalidOperationException($"The source announced {capacity} samples but yielded more in one epoch.");
                    StoreFeatures(cache, Enumerable.Range(position, batch.Count).ToArray(), batch);
                    position += batch.Count;
                }
            }
            cache.Truncate(position);
            return cache;
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    private void StoreFeatures(FeatureCache cache, IReadOnlyList<int> indices, ImageBatch batch)
    {
        RecordInputSize(batch.Images);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        cache.Store(indices, _backbone.forward(batch.Images), batch.Labels);
    }

    private Totals EvaluateCache(FeatureCache cache, CancellationToken cancellationToken)
    {
        bool headTraining = _head.training;
        _head.eval();
        try
        {
            var totals = new Totals();
            int batchSize = Math.Max(1, _options.PredictionBatchSize);
            for (int start = 0; start < cache.SampleCount; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var indices = Enumerable.Range(start, Math.Min(batchSize, cache.SampleCount - start)).ToArray();
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var (features, labels) = cache.Gather(indices);
                var logits = _head.forward(features);
                Accumulate(totals, logits, labels, confusion: null);
            }
            return totals;
        }
        finally
        {
            _head.train(headTraining);
        }
    }

    private Totals EvaluateSource(IImageBatchSource source, CancellationToken cancellationToken, int[,]? confusion)
    {
        bool backboneTraining = _backbone.training, headTraining = _head.training;
        _backbone.eval();
        _head.eval();
        try
        {
            var totals = new Totals();
            foreach (var batch in source.ReadEpoch(0, _device, cancellationToken))
            {
                using (batch)
                {
                    using var scope = NewDisposeScope();
                    using var _ = no_grad();
                    Accumulate(totals, Logits(batch.Images), batch.Labels, confusion);
                }
            }
            return totals;
        }
        finally
        {
            _backbone.train(backboneTraining);
            ApplyNormalizationMode();
            _head.train(headTraining);
        }
    }

    private void Accumulate(Totals totals, Tensor logits, Tensor labels, int[,]? confusion)
    {
        var loss = Loss(logits, labels);
        var stats = BatchStatistics(logits, labels, loss);
        int n = (int)labels.shape[0];
        totals.LossSum += stats[0] * n;
        totals.Correct += (long)stats[1];
        totals.TopKCorrect += (long)stats[2];
        totals.Samples += n;
        if (confusion != null)
        {
            var predicted = logits.argmax(1).cpu().data<long>().ToArray();
            var actual = labels.cpu().data<long>().ToArray();
            for (int i = 0; i < n; i++) confusion[actual[i], predicted[i]]++;
        }
    }

    private void LogEpoch(EpochMetrics m, int epochCount)
    {
        if (!_logger.IsEnabled(LogLevel.Information)) return;
        if (m.ValidationLoss is { } vl)
            _logger.LogInformation("{Phase} epoch {Epoch}/{Epochs}: loss {Loss:F4} acc {Accuracy:P1} top{K} {TopK:P1} | val loss {ValLoss:F4} acc {ValAccuracy:P1} top{K} {ValTopK:P1} | lr {LearningRate:G3} | {Seconds:F1}s {ImagesPerSecond:F1} img/s{Cached}",
                m.Phase, m.Epoch, epochCount, m.TrainLoss, m.TrainAccuracy, m.TopK, m.TrainTopKAccuracy, vl, m.ValidationAccuracy, m.TopK, m.ValidationTopKAccuracy, m.LearningRate, m.Seconds, m.ImagesPerSecond, m.FromFeatureCache ? " (cached features)" : "");
        else
            _logger.LogInformation("{Phase} epoch {Epoch}/{Epochs}: loss {Loss:F4} acc {Accuracy:P1} top{K} {TopK:P1} | lr {LearningRate:G3} | {Seconds:F1}s {ImagesPerSecond:F1} img/s{Cached}",
                m.Phase, m.Epoch, epochCount, m.TrainLoss, m.TrainAccuracy, m.TopK, m.TrainTopKAccuracy, m.LearningRate, m.Seconds, m.ImagesPerSecond, m.FromFeatureCache ? " (cached features)" : "");
    }
}
