namespace TransferLearning.Training;

/// <summary>The epoch metric that early stopping and reduce-on-plateau watch.</summary>
public enum MonitoredMetric
{
    /// <summary>Validation loss (lower is better); training loss when there is no validation source. The default.</summary>
    ValidationLoss,

    /// <summary>Validation accuracy (higher is better); training accuracy when there is no validation source.</summary>
    ValidationAccuracy,
}
