using TransferLearning.Data;

namespace TransferLearning.Training;

/// <summary>
/// The data of one training phase: what it trains on and what it validates on. Give each phase its own to cache the
/// frozen head phase on unaugmented batches and augment only the fine-tuning (Keras' two <c>fit</c> calls with two
/// generators), in one <see cref="TransferTrainer.Fit(PhaseData, PhaseData, IProgress{TrainingProgress}?, CancellationToken)"/>.
/// </summary>
/// <param name="Train">Training batches; its classes must equal the trainer's.</param>
/// <param name="Validation">
/// Validation batches (never augmented by the trainer), or <c>null</c>: then early stopping and plateau schedules watch the
/// training metrics. Default <c>null</c>.
/// </param>
public sealed record PhaseData(IImageBatchSource Train, IImageBatchSource? Validation = null);
