using Microsoft.Extensions.Logging;

namespace TransferLearning.Backbones;

/// <summary>
/// Where pretrained weights are cached and how they are fetched. Copied by <see cref="WeightsCache"/> at construction.
/// </summary>
public sealed class WeightsCacheOptions
{
    /// <summary>The environment variable that sets the cache folder when <see cref="CacheDirectory"/> is not set: <c>TRANSFERLEARNING_CACHE_DIR</c>.</summary>
    public const string CacheDirectoryVariable = "TRANSFERLEARNING_CACHE_DIR";

    /// <summary>The environment variable that turns on <see cref="Offline"/> when set to <c>1</c> or <c>true</c>: <c>TRANSFERLEARNING_OFFLINE</c>.</summary>
    public const string OfflineVariable = "TRANSFERLEARNING_OFFLINE";

    /// <summary>
    /// The environment variable that sets <see cref="BaseUri"/> when the option is not set:
    /// <c>TRANSFERLEARNING_WEIGHTS_MIRROR</c>, an absolute http(s) address under which the weights files are served by name.
    /// </summary>
    public const string MirrorVariable = "TRANSFERLEARNING_WEIGHTS_MIRROR";

    /// <summary>
    /// The cache folder. Default <c>null</c>: <c>$TRANSFERLEARNING_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/transferlearning</c>, else
    /// <c>~/.cache/transferlearning</c> (on Windows <c>%LOCALAPPDATA%\transferlearning</c>).
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>
    /// Never download: use a cached file or fail with a <see cref="FileNotFoundException"/> that says where the file is expected.
    /// Default <c>false</c>, or <c>true</c> when <c>$TRANSFERLEARNING_OFFLINE</c> is <c>1</c> or <c>true</c>.
    /// </summary>
    public bool Offline { get; set; }

    /// <summary>
    /// Replaces the published address up to the file name (a mirror, or a test server): the file is fetched from
    /// <c>BaseUri + FileName</c>. Default <c>null</c>: <c>$TRANSFERLEARNING_WEIGHTS_MIRROR</c> (<see cref="MirrorVariable"/>)
    /// when set, else the published address.
    /// </summary>
    public Uri? BaseUri { get; set; }

    /// <summary>How long to wait for the server's response headers. Default 30 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the transfer may go without receiving a byte before it is abandoned. Default 30 seconds.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether a cached file's SHA-256 is checked each time it is used (about a second for VGG16's 528 MB). Default <c>true</c>.</summary>
    public bool VerifyCachedFiles { get; set; } = true;

    /// <summary>Receives download progress, at most every 1 MB and at the end. Default <c>null</c>.</summary>
    public IProgress<WeightsDownloadProgress>? Progress { get; set; }

    /// <summary>Logs cache hits, downloads and verification. Default <c>null</c> (no logging).</summary>
    public ILogger? Logger { get; set; }

    internal WeightsCacheOptions Copy() => (WeightsCacheOptions)MemberwiseClone();
}
