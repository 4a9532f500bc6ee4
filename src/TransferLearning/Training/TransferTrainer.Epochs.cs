using System.Diagnostics;
using TorchSharp.Modules;
using TransferLearning.Data;
using TransferLearning.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    /// <summary>One epoch over the source's batches: the backbone runs on every batch (without gradients when frozen).</summary>
    private void TrainEpoch(IImageBatchSource train, OptimizerHelper optimizer, bool backboneFrozen, BatchMix? mix, TrainingContext context,
        IReadOnlyList<ITrainingCallback> callbacks, EpochTotals totals)
    {
        var clock = Stopwatch.StartNew();
        int batchIndex = 0;
        foreach (var batch in train.ReadEpoch(context.Epoch, _device, context.CancellationToken))
        {
            using (batch)
            {
                RecordInputSize(batch.Images);
                context.BeginBatch(batchIndex);
                Invoke(callbacks, c => c.OnBatchBegin(context));
                using (var scope = NewDisposeScope())
                {
                    var images = batch.Images;
                    var labels = batch.Labels;
                    Tensor? targets = null;
                    if (mix != null)
                    {
                        var mixed = mix.Apply(images, labels, _classNames.Length, new Random(Seeds.Mix(_options.Seed, (int)context.Phase, context.Epoch, batchIndex)));
                        (images, labels, targets) = (mixed.Images, mixed.DominantLabels, mixed.Targets);
                    }
                    Step(optimizer, BackboneFeatures(images, backboneFrozen), labels, totals, context, targets);
                }
            }
            Invoke(callbacks, c => c.OnBatchEnd(context));
            batchIndex++;
            if (context.IsPhaseStopRequested) break;
            context.CancellationToken.ThrowIfCancellationRequested();
        }
        totals.Seconds = clock.Elapsed.TotalSeconds;
    }

    /// <summary>The backbone's features of a batch; without gradients (and their memory) when the backbone is frozen.</summary>
    private Tensor BackboneFeatures(Tensor images, bool frozen)
    {
        if (!frozen) return _backbone.forward(images);
        using (no_grad()) return _backbone.forward(images);
    }

    /// <summary>
    /// One epoch over cached features: in the source's own order when it announces one (<paramref name="exactOrder"/>),
    /// else in the cache's reading order, reshuffled only when the source shuffles; batches of the source's batch size.
    /// </summary>
    private void TrainEpochOnCache(FeatureCache cache, IEpochOrderProvider? exactOrder, IImageBatchSource train, OptimizerHelper optimizer,
        TrainingContext context, IReadOnlyList<ITrainingCallback> callbacks, EpochTotals totals)
    {
        var clock = Stopwatch.StartNew();
        var order = exactOrder?.GetEpochOrder(context.Epoch) ?? ReplayOrder(cache, train, context);
        int batchSize = train.BatchSize;
        int batchCount = Math.Min(train.BatchesPerEpoch, (order.Count + batchSize - 1) / batchSize);
        for (int b = 0; b < batchCount; b++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var indices = new int[Math.Min(batchSize, order.Count - b * batchSize)];
            for (int i = 0; i < indices.Length; i++) indices[i] = order[b * batchSize + i];
            context.BeginBatch(b);
            Invoke(callbacks, c => c.OnBatchBegin(context));
            using (var scope = NewDisposeScope())
            {
                var (features, labels) = cache.Gather(indices);
                Step(optimizer, features, labels, totals, context);
            }
            Invoke(callbacks, c => c.OnBatchEnd(context));
            if (context.IsPhaseStopRequested) break;
        }
        totals.Seconds = clock.Elapsed.TotalSeconds;
    }

    /// <summary>The cache's samples in reading order, shuffled from (seed, phase, epoch) when the source says it shuffles.</summary>
    private IReadOnlyList<int> ReplayOrder(FeatureCache cache, IImageBatchSource train, TrainingContext context)
    {
        var order = Enumerable.Range(0, cache.SampleCount).ToArray();
        if (train.IsShuffled) new Random(Seeds.Mix(_options.Seed, (int)context.Phase, context.Epoch)).Shuffle(order);
        return order;
    }

    /// <summary>
    /// Head forward, loss (against <paramref name="targets"/>, soft labels, when given), then (for a finite loss) backward,
    /// clipping and the optimizer step; accumulates the batch's statistics with one device sync. A non-finite loss is
    /// recorded but never applied to the weights.
    /// </summary>
    private void Step(OptimizerHelper optimizer, Tensor features, Tensor labels, EpochTotals totals, TrainingContext context, Tensor? targets = null)
    {
        var logits = _head.forward(features);
        var loss = Loss(logits, targets ?? labels);
        var stats = BatchStatistics(logits, labels, loss);
        int n = (int)labels.shape[0];
        if (double.IsFinite(stats[0]))
        {
            optimizer.zero_grad();
            loss.backward();
            if (_options.GradientClipNorm is { } clip)
                nn.utils.clip_grad_norm_(optimizer.parameters(), clip);
            optimizer.step();
        }
        totals.Add(stats, n);
        context.EndBatch(stats[0], n);
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

    private void RecordInputSize(Tensor images)
    {
        _inputSize ??= ((int)images.shape[2], (int)images.shape[3]);
    }
}
