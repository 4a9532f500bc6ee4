namespace TransferLearning.Backbones;

/// <summary>
/// Weights could not be fetched into the cache: the server answered with an error, the transfer was cut short or stalled,
/// or the file's SHA-256 was not the published one. Nothing was written to the cache.
/// </summary>
public sealed class WeightsDownloadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, naming the address.</param>
    /// <param name="uri">The address fetched.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public WeightsDownloadException(string message, Uri uri, Exception? innerException = null) : base(message, innerException)
    {
        Uri = uri;
    }

    /// <summary>The address fetched.</summary>
    public Uri Uri { get; }
}
