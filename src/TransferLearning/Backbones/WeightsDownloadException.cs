namespace TransferLearning.Backbones;

/// <summary>
/// Weights could not be fetched into the cache: the server could not be reached or answered with an error, the transfer
/// was cut short or stalled, or the file's SHA-256 was not the published one. Nothing was written to the cache. The
/// message says what failed and every way around it: where to put the file by hand (the cache path, the file name and
/// its SHA-256), the mirror setting, and the backbones that need no download.
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

    /// <summary>Creates the exception with the full message: <paramref name="reason"/>, then how to get the file without this download.</summary>
    /// <param name="reason">What went wrong, naming the address.</param>
    /// <param name="uri">The address fetched.</param>
    /// <param name="weights">The file that was wanted.</param>
    /// <param name="cachePath">Where the cache expects the file.</param>
    /// <param name="mirror">The mirror in use (<see cref="WeightsCacheOptions.BaseUri"/> or <c>$TRANSFERLEARNING_WEIGHTS_MIRROR</c>); <c>null</c> for none.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public WeightsDownloadException(string reason, Uri uri, PretrainedWeights weights, string cachePath, Uri? mirror, Exception? innerException = null)
        : base(Compose(reason, weights, cachePath, mirror), innerException)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Uri = uri;
        FileName = weights.FileName;
        Sha256 = weights.Sha256;
        CachePath = cachePath;
        Mirror = mirror;
    }

    /// <summary>The address fetched.</summary>
    public Uri Uri { get; }

    /// <summary>The name of the file that was wanted; <c>null</c> when not known.</summary>
    public string? FileName { get; }

    /// <summary>The file's expected SHA-256 (64 hex digits or a prefix); <c>null</c> when not known.</summary>
    public string? Sha256 { get; }

    /// <summary>Where the cache expects the file: put it there by hand to skip the download; <c>null</c> when not known.</summary>
    public string? CachePath { get; }

    /// <summary>The mirror that was used, or <c>null</c> when the file was fetched from its published address.</summary>
    public Uri? Mirror { get; }

    private static string Compose(string reason, PretrainedWeights weights, string cachePath, Uri? mirror)
    {
        ArgumentNullException.ThrowIfNull(weights);
        string hash = weights.Sha256.Length == 64 ? $"SHA-256 {weights.Sha256}" : $"SHA-256 starting with {weights.Sha256}";
        string mirrorLine = mirror is null
            ? $"set ${WeightsCacheOptions.MirrorVariable} (or WeightsCacheOptions.BaseUri) to an http(s) address that serves '{weights.FileName}' under it (none is set; the published address is {weights.Uri});"
            : $"check the mirror in use, {mirror} (from ${WeightsCacheOptions.MirrorVariable} or WeightsCacheOptions.BaseUri): it must serve '{weights.FileName}' under that address; the published address is {weights.Uri};";
        return $"Could not download the weights '{weights.FileName}' ({hash}): {reason}" + Environment.NewLine +
               "Ways around it:" + Environment.NewLine +
               $"  - put the file at {cachePath} (downloaded elsewhere from {weights.Uri}; its {hash} is checked), or point ${WeightsCacheOptions.CacheDirectoryVariable} at a folder that has it;" + Environment.NewLine +
               $"  - {mirrorLine}" + Environment.NewLine +
               "  - use weights that need no download: OnnxBackbone.ResNet18FromPackage() with the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 (ImageNet ResNet18, offline), " +
               $"or Vgg16Weights.File with a local file; set ${WeightsCacheOptions.OfflineVariable}=1 to never try the network.";
    }
}
