namespace TransferLearning.Data;

/// <summary>
/// A batch source that can tell, without reading images, which samples each epoch yields in which order. With it the
/// feature cache replays exactly the batches the source would have delivered, so cached and uncached head training
/// give the same results. <see cref="TensorBatchSource"/> implements it; other sources fall back to the trainer's
/// own seeded shuffle of the cache (same distribution, different order).
/// </summary>
public interface IEpochOrderProvider
{
    /// <summary>Samples per batch; batch b of an epoch holds the samples at positions b·BatchSize … of <see cref="GetEpochOrder"/>.</summary>
    int BatchSize { get; }

    /// <summary>The sample indices (0 … SampleCount−1) that <see cref="IImageBatchSource.ReadEpoch"/> yields for <paramref name="epoch"/>, in order.</summary>
    IReadOnlyList<int> GetEpochOrder(int epoch);

    /// <summary>The identifier (<see cref="ImageBatch.Files"/> entry) of sample <paramref name="index"/>.</summary>
    string SampleId(int index);
}
