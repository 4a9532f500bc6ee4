namespace TransferLearning.Data;

/// <summary>What happens to a file that cannot be used: empty, corrupt, truncated, not an image, or too large.</summary>
public enum BadFilePolicy
{
    /// <summary>
    /// Leave it out, log one warning for it through the <c>ILogger</c>, and add it with its reason to the
    /// <c>SkippedFiles</c> list of the dataset or loader. The default.
    /// </summary>
    Skip = 0,

    /// <summary>Stop with an exception that names the file and the reason.</summary>
    Throw = 1,
}
