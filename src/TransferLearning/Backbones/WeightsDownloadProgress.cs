namespace TransferLearning.Backbones;

/// <summary>Progress of a weights download, reported through <see cref="WeightsCacheOptions.Progress"/>.</summary>
/// <param name="FileName">The file being fetched.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The size the server announced, or <c>null</c> when it did not.</param>
public readonly record struct WeightsDownloadProgress(string FileName, long BytesReceived, long? TotalBytes)
{
    /// <summary>Fraction done, 0..1, or <c>null</c> when the size is unknown.</summary>
    public double? Fraction => TotalBytes is > 0 ? (double)BytesReceived / TotalBytes.Value : null;
}
