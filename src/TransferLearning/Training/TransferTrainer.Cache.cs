using Microsoft.Extensions.Logging;
using TransferLearning.Data;
using static TorchSharp.torch;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    /// <summary>
    /// Runs the frozen backbone over the training samples once. A source that announces its order
    /// (<see cref="IEpochOrderProvider"/>) is cached by sample index so every epoch replays its exact batches: epochs are
    /// read only while they bring samples that the phase's epochs will need and the cache lacks (one pass, unless
    /// drop-last leaves samples out of the first epoch that a later one visits). Otherwise one pass in reading order.
    /// </summary>
    private (FeatureCache Cache, IEpochOrderProvider? ExactOrder) BuildTrainCache(IImageBatchSource train, int startEpoch, int epochCount, CancellationToken cancellationToken)
    {
        if (train is not IEpochOrderProvider provider)
        {
            _logger.LogInformation("Feature cache: the training source does not announce its epoch order (IEpochOrderProvider), so cached epochs replay one pass in reading order{Shuffle}, in batches of {BatchSize}.",
                train.IsShuffled ? ", reshuffled every epoch" : "", train.BatchSize);
            return (BuildSequentialCache(train, train.SampleCount, 0, cancellationToken), null);
        }
        var needed = new bool[train.SampleCount];
        int missing = 0;
        for (int epoch = startEpoch; epoch < epochCount; epoch++)
            foreach (int index in provider.GetEpochOrder(epoch))
                if (!needed[index])
                {
                    needed[index] = true;
                    missing++;
                }
        var cache = new FeatureCache(train.SampleCount, FeatureLength, _options.FeatureCacheMemoryLimitBytes, _device);
        try
        {
            for (int epoch = startEpoch; epoch < epochCount && missing > 0; epoch++)
            {
                var order = provider.GetEpochOrder(epoch);
                if (!order.Any(i => !cache.Contains(i))) continue;
                int position = 0;
                foreach (var batch in train.ReadEpoch(epoch, _device, cancellationToken))
                {
                    using (batch)
                    {
                        var indices = order.Skip(position).Take(batch.Count).ToArray();
                        position += batch.Count;
                        if (indices.Length != batch.Count || indices.Where((index, i) => provider.SampleId(index) != batch.Files[i]).Any())
                        {
                            _logger.LogWarning("Feature cache: the training source's batches do not follow its announced order (a file was skipped?); cached epochs replay one pass in reading order instead.");
                            cache.Dispose();
                            return (BuildSequentialCache(train, train.SampleCount, 0, cancellationToken), null);
                        }
                        missing -= indices.Count(i => needed[i] && !cache.Contains(i));
                        StoreFeatures(cache, indices, batch);
                    }
                    if (missing == 0) break;
                }
            }
            _logger.LogDebug("Cached {Samples} x {Length} training features ({Where}).", cache.SampleCount, cache.FeatureLength, cache.IsSpilled ? "temporary file" : "memory");
            return (cache, provider);
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    /// <summary>The features of one epoch of <paramref name="source"/> in reading order.</summary>
    private FeatureCache BuildSequentialCache(IImageBatchSource source, int capacity, int epoch, CancellationToken cancellationToken)
    {
        var cache = new FeatureCache(capacity, FeatureLength, _options.FeatureCacheMemoryLimitBytes, _device);
        try
        {
            int position = 0;
            foreach (var batch in source.ReadEpoch(epoch, _device, cancellationToken))
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
}
