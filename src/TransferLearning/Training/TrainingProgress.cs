namespace TransferLearning.Training;

/// <summary>Progress of <see cref="TransferTrainer.Fit(Data.IImageBatchSource, Data.IImageBatchSource?, IProgress{TrainingProgress}?, CancellationToken)"/>, reported after every training batch (for progress bars and UIs).</summary>
/// <param name="Phase">The running phase.</param>
/// <param name="Epoch">Epoch within the phase, 1-based.</param>
/// <param name="EpochCount">Epochs planned for the phase.</param>
/// <param name="Batch">Batch within the epoch, 1-based.</param>
/// <param name="BatchCount">Batches per epoch.</param>
/// <param name="RunningLoss">Mean training loss of the epoch so far.</param>
/// <param name="RunningAccuracy">Training accuracy of the epoch so far, 0..1.</param>
/// <param name="ImagesPerSecond">Training throughput of the epoch so far.</param>
/// <param name="EstimatedRemaining">Estimated time until the phase's last epoch ends (excluding validation), from the epoch's speed.</param>
/// <param name="FromFeatureCache">Whether the batch came from cached backbone features.</param>
public sealed record TrainingProgress(
    TrainingPhase Phase, int Epoch, int EpochCount, int Batch, int BatchCount,
    double RunningLoss, double RunningAccuracy, double ImagesPerSecond, TimeSpan EstimatedRemaining, bool FromFeatureCache);
