namespace TransferLearning.Training;

/// <summary>The metrics of one training epoch. Validation values are <c>null</c> when <see cref="TransferTrainer.Fit(Data.IImageBatchSource, Data.IImageBatchSource?, IProgress{TrainingProgress}?, CancellationToken)"/> had no validation source.</summary>
public sealed record EpochMetrics
{
    /// <summary>The phase.</summary>
    public TrainingPhase Phase { get; init; }

    /// <summary>Epoch within the phase, 1-based.</summary>
    public int Epoch { get; init; }

    /// <summary>Epoch across both phases, 1-based (the x axis of the charts).</summary>
    public int GlobalEpoch { get; init; }

    /// <summary>Learning rate of the head during the epoch.</summary>
    public double LearningRate { get; init; }

    /// <summary>Mean training loss (cross-entropy on logits, with label smoothing and class weights as configured).</summary>
    public double TrainLoss { get; init; }

    /// <summary>Training accuracy, 0..1.</summary>
    public double TrainAccuracy { get; init; }

    /// <summary>Training top-k accuracy, 0..1, with k = <see cref="TopK"/>.</summary>
    public double TrainTopKAccuracy { get; init; }

    /// <summary>Validation loss (same loss as training).</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>Validation accuracy, 0..1.</summary>
    public double? ValidationAccuracy { get; init; }

    /// <summary>Validation top-k accuracy, 0..1.</summary>
    public double? ValidationTopKAccuracy { get; init; }

    /// <summary>The k of the top-k accuracies.</summary>
    public int TopK { get; init; }

    /// <summary>Whether the epoch trained on cached backbone features.</summary>
    public bool FromFeatureCache { get; init; }

    /// <summary>Wall-clock seconds of the epoch, validation included (not reproducible; excluded from determinism checks).</summary>
    public double Seconds { get; init; }

    /// <summary>Training images per second (not reproducible).</summary>
    public double ImagesPerSecond { get; init; }
}
