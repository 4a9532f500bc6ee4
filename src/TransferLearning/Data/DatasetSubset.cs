namespace TransferLearning.Data;

/// <summary>Which part of Keras' deterministic validation split a dataset holds (Keras' <c>subset</c>).</summary>
public enum DatasetSubset
{
    /// <summary>Every file (no split). The default.</summary>
    All = 0,

    /// <summary>The files after the first <c>ValidationSplit</c> fraction of each class's sorted files.</summary>
    Training = 1,

    /// <summary>The first <c>ValidationSplit</c> fraction of each class's sorted files.</summary>
    Validation = 2,
}
