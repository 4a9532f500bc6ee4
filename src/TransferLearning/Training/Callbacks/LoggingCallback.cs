using Microsoft.Extensions.Logging;

namespace TransferLearning.Training.Callbacks;

/// <summary>Built-in: one <see cref="LogLevel.Information"/> line per epoch on the trainer's logger (losses, accuracies, learning rate, speed).</summary>
public sealed class LoggingCallback : ITrainingCallback
{
    internal LoggingCallback()
    {
    }

    /// <inheritdoc />
    public int Order => CallbackOrder.Logging;

    /// <inheritdoc />
    public void OnEpochEnd(TrainingContext context)
    {
        var logger = context.Logger;
        if (!logger.IsEnabled(LogLevel.Information)) return;
        var m = context.EpochMetrics!;
        string cached = m.FromFeatureCache ? " (cached features)" : "";
        // Top-k says nothing when k is 1 (it is the accuracy) or covers every class (it is 100 % by definition).
        bool topK = m.TopK > 1 && m.TopK < context.History.ClassNames.Count;
        if (m.ValidationLoss is { } vl && topK)
            logger.LogInformation("{Phase} epoch {Epoch}/{Epochs}: loss {Loss:F4} acc {Accuracy:P1} top{K} {TopK:P1} | val loss {ValLoss:F4} acc {ValAccuracy:P1} top{K} {ValTopK:P1} | lr {LearningRate:G3} | {Seconds:F1}s {ImagesPerSecond:F1} img/s{Cached}",
                m.Phase, m.Epoch, context.EpochCount, m.TrainLoss, m.TrainAccuracy, m.TopK, m.TrainTopKAccuracy, vl, m.ValidationAccuracy, m.TopK, m.ValidationTopKAccuracy, m.LearningRate, m.Seconds, m.ImagesPerSecond, cached);
        else if (m.ValidationLoss is { } loss)
            logger.LogInformation("{Phase} epoch {Epoch}/{Epochs}: loss {Loss:F4} acc {Accuracy:P1} | val loss {ValLoss:F4} acc {ValAccuracy:P1} | lr {LearningRate:G3} | {Seconds:F1}s {ImagesPerSecond:F1} img/s{Cached}",
                m.Phase, m.Epoch, context.EpochCount, m.TrainLoss, m.TrainAccuracy, loss, m.ValidationAccuracy, m.LearningRate, m.Seconds, m.ImagesPerSecond, cached);
        else if (topK)
            logger.LogInformation("{Phase} epoch {Epoch}/{Epochs}: loss {Loss:F4} acc {Accuracy:P1} top{K} {TopK:P1} | lr {LearningRate:G3} | {Seconds:F1}s {ImagesPerSecond:F1} img/s{Cached}",
                m.Phase, m.Epoch, context.EpochCount, m.TrainLoss, m.TrainAccuracy, m.TopK, m.TrainTopKAccuracy, m.LearningRate, m.Seconds, m.ImagesPerSecond, cached);
        else
            logger.LogInformation("{Phase} epoch {Epoch}/{Epochs}: loss {Loss:F4} acc {Accuracy:P1} | lr {LearningRate:G3} | {Seconds:F1}s {ImagesPerSecond:F1} img/s{Cached}",
                m.Phase, m.Epoch, context.EpochCount, m.TrainLoss, m.TrainAccuracy, m.LearningRate, m.Seconds, m.ImagesPerSecond, cached);
    }
}
