namespace TransferLearning.Imaging;

/// <summary>An image file could not be decoded: corrupt, truncated, empty, not an image, or refused by a limit.</summary>
public class ImageDecodeException : IOException
{
    /// <summary>Creates the exception; the message should name the file.</summary>
    /// <param name="filePath">The file that failed.</param>
    /// <param name="reason">Why it failed, without the file name (kept as <see cref="Reason"/>).</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ImageDecodeException(string filePath, string reason, Exception? innerException = null)
        : base($"Could not decode image '{filePath}': {reason}", innerException)
    {
        FilePath = filePath;
        Reason = reason;
    }

    /// <summary>The file that failed.</summary>
    public string FilePath { get; }

    /// <summary>Why it failed (the message without the file name).</summary>
    public string Reason { get; }
}
