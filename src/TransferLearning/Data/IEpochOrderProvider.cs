namespace TransferLearning.Data;

/// <summary>
/// A batch source that can tell, without reading images, which samples each epoch yields in which order. With it the
/// feature cache replays exactly the batches the source would have delivered, so cached and uncached head training
/// give the same results. <see cref="ImageBatchLoader"/> and <see cref="TensorBatchSource"/> implement it; for other
/// sources the cache holds the features of one pass in reading order and replays them in that order, reshuffled per epoch
/// when <see cref="IImageBatchSource.IsShuffled"/> says the source shuffles. Batch b of an
/// epoch holds the samples at positions b·<see cref="IImageBatchSource.BatchSize"/> … of <see cref="GetEpochOrder"/>.
/// </summary>
public interface IEpochOrderProvider
{
    /// <summary>The sample indices (0 … SampleCount−1) that <see cref="IImageBatchSource.ReadEpoch"/> yields for <paramref name="epoch"/>, in order.</summary>
    IReadOnlyList<int> GetEpochOrder(int epoch);

    /// <summary>The identifier (<see cref="ImageBatch.Files"/> entry) of sample <paramref name="index"/>.</summary>
    string SampleId(int index);
}
