using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TransferLearning.Backbones;

/// <summary>
/// A folder of pretrained weights files fetched once from their published address. Downloads stream to a temporary file
/// in the cache folder, are checked against the published SHA-256, and only then renamed into place, so the cache never
/// holds a partial or wrong file. An offline mode uses the cache only.
/// </summary>
public sealed class WeightsCache
{
    private const int BufferSize = 1 << 16;
    private const long ProgressStep = 1 << 20;

    private readonly WeightsCacheOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a cache.</summary>
    /// <param name="options">Folder, offline mode, address override, timeouts, progress and logging; <c>null</c> for the defaults. Copied.</param>
    public WeightsCache(WeightsCacheOptions? options = null)
    {
        _options = (options ?? new WeightsCacheOptions()).Copy();
        if (_options.ConnectTimeout <= TimeSpan.Zero && _options.ConnectTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(options), $"ConnectTimeout must be positive; got {_options.ConnectTimeout}.");
        if (_options.StallTimeout <= TimeSpan.Zero && _options.StallTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(options), $"StallTimeout must be positive; got {_options.StallTimeout}.");
        if (_options.BaseUri is { } baseUri && !IsHttp(baseUri))
            throw new ArgumentException($"BaseUri must be an absolute http(s) address; got '{baseUri}'.", nameof(options));
        Mirror = ResolveMirror(_options.BaseUri, Environment.GetEnvironmentVariable(WeightsCacheOptions.MirrorVariable));
        CacheDirectory = Path.GetFullPath(_options.CacheDirectory ?? DefaultDirectory());
        string? offline = Environment.GetEnvironmentVariable(WeightsCacheOptions.OfflineVariable);
        Offline = _options.Offline || offline == "1" || string.Equals(offline, "true", StringComparison.OrdinalIgnoreCase);
        _logger = _options.Logger ?? NullLogger.Instance;
    }

    /// <summary>The cache folder in use (see <see cref="WeightsCacheOptions.CacheDirectory"/> for the default).</summary>
    public string CacheDirectory { get; }

    /// <summary>
    /// The mirror files are fetched from: <see cref="WeightsCacheOptions.BaseUri"/>, else <c>$TRANSFERLEARNING_WEIGHTS_MIRROR</c>;
    /// <c>null</c> for the published addresses.
    /// </summary>
    public Uri? Mirror { get; }

    private static bool IsHttp(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    internal static Uri? ResolveMirror(Uri? option, string? variable)
    {
        if (option is not null) return option;
        if (string.IsNullOrWhiteSpace(variable)) return null;
        if (!Uri.TryCreate(variable.Trim(), UriKind.Absolute, out var uri) || !IsHttp(uri))
            throw new ArgumentException($"${WeightsCacheOptions.MirrorVariable} must be an absolute http(s) address; got '{variable}'.");
        return uri;
    }

    /// <summary>Whether downloads are off (the option or <c>$TRANSFERLEARNING_OFFLINE</c>).</summary>
    public bool Offline { get; }

    /// <summary>The default cache folder: <c>$TRANSFERLEARNING_CACHE_DIR</c>, <c>$XDG_CACHE_HOME/transferlearning</c>, <c>~/.cache/transferlearning</c> (Windows: <c>%LOCALAPPDATA%\transferlearning</c>).</summary>
    public static string DefaultDirectory()
    {
        string? env = Environment.GetEnvironmentVariable(WeightsCacheOptions.CacheDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(env)) return env;
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "transferlearning");
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "transferlearning");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "transferlearning");
    }

    /// <summary>Where <paramref name="weights"/> is (or would be) cached.</summary>
    /// <param name="weights">The published file.</param>
    public string PathOf(PretrainedWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        return Path.Combine(CacheDirectory, weights.FileName);
    }

    /// <summary>The address the file is fetched from: the published one, or <see cref="Mirror"/> + file name.</summary>
    /// <param name="weights">The published file.</param>
    public Uri SourceOf(PretrainedWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (Mirror is not { } baseUri) return weights.Uri;
        string text = baseUri.AbsoluteUri;
        return new Uri(text.EndsWith('/') ? text + weights.FileName : text + "/" + weights.FileName);
    }

    /// <summary>
    /// Returns the path of the verified cached file, downloading it first when it is not cached (or its cached copy fails
    /// the SHA-256 check).
    /// </summary>
    /// <param name="weights">The published file.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <exception cref="FileNotFoundException">Offline and the file is not cached.</exception>
    /// <exception cref="InvalidDataException">Offline and the cached file fails the SHA-256 check.</exception>
    /// <exception cref="WeightsDownloadException">The server answered with an error, the transfer broke off or stalled, or the hash is wrong.</exception>
    public async Task<string> GetFileAsync(PretrainedWeights weights, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(weights);
        string path = PathOf(weights);
        if (File.Exists(path))
        {
            if (!_options.VerifyCachedFiles)
            {
                _logger.LogDebug("Using cached weights {File} (not verified)", path);
                return path;
            }
            string actual = await HashFileAsync(path, cancellationToken).ConfigureAwait(false);
            if (Matches(actual, weights.Sha256))
            {
                _logger.LogDebug("Using cached weights {File} (SHA-256 {Hash})", path, actual);
                return path;
            }
            if (Offline)
                throw new InvalidDataException($"Cached weights file '{path}' has SHA-256 {actual}; {Expected(weights)}. " +
                    $"The file is damaged or not the published one; delete it, then run once without offline mode to download it again.");
            _logger.LogWarning("Cached weights {File} have SHA-256 {Actual}, expected {Expected}; downloading again", path, actual, weights.Sha256);
        }
        if (Offline)
            throw new FileNotFoundException($"Weights '{weights.FileName}' are not in the cache ({path}) and offline mode is on " +
                $"(WeightsCacheOptions.Offline or ${WeightsCacheOptions.OfflineVariable}). Copy the file from {weights.Uri} to that path, " +
                $"set ${WeightsCacheOptions.CacheDirectoryVariable} to a folder that has it, or turn offline mode off. " +
                $"Weights that need no download: OnnxBackbone.ResNet18FromPackage() with the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18.", path);
        await DownloadAsync(weights, path, cancellationToken).ConfigureAwait(false);
        return path;
    }

    private async Task DownloadAsync(PretrainedWeights weights, string path, CancellationToken cancellationToken)
    {
        Uri uri = SourceOf(weights);
        WeightsDownloadException Failure(string reason, Uri from, Exception? inner = null) => new(reason, from, weights, path, Mirror, inner);
        Directory.CreateDirectory(CacheDirectory);
        string temp = Path.Combine(CacheDirectory, $".{weights.FileName}.{Guid.NewGuid():N}.partial");
        _logger.LogInformation("Downloading weights {File} from {Uri} into {Folder}", weights.FileName, uri, CacheDirectory);
        try
        {
            using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            using var headersCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            headersCts.CancelAfter(_options.ConnectTimeout);
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, headersCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw Failure($"No response from {uri} within {_options.ConnectTimeout.TotalSeconds:0.###} s (WeightsCacheOptions.ConnectTimeout).", uri, e);
            }
            catch (HttpRequestException e)
            {
                throw Failure($"{uri} could not be reached: {e.Message}", uri, e);
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                    throw Failure($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}; weights '{weights.FileName}' were not downloaded.", uri);
                long? total = response.Content.Headers.ContentLength;
                string actual;
                long received = 0;
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
                using (var readCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    readCts.CancelAfter(_options.ConnectTimeout);
                    Stream input;
                    try { input = await response.Content.ReadAsStreamAsync(readCts.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw Failure($"No data from {uri} within {_options.ConnectTimeout.TotalSeconds:0.###} s.", uri, e);
                    }
                    using (input)
                    {
                        var buffer = new byte[BufferSize];
                        long nextReport = ProgressStep;
                        _options.Progress?.Report(new WeightsDownloadProgress(weights.FileName, 0, total));
                        while (true)
                        {
                            readCts.CancelAfter(_options.StallTimeout);
                            int n;
                            try
                            {
                                n = await input.ReadAsync(buffer, readCts.Token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                            {
                                throw Failure($"The transfer of {uri} stalled: no data for {_options.StallTimeout.TotalSeconds:0.###} s (WeightsCacheOptions.StallTimeout) after {received} of {Total(total)} bytes.", uri, e);
                            }
                            catch (Exception e) when (e is IOException or HttpRequestException)
                            {
                                throw Failure($"The transfer of {uri} broke off after {received} of {Total(total)} bytes: {e.Message}", uri, e);
                            }
                            if (n == 0) break;
                            hash.AppendData(buffer, 0, n);
                            await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                            received += n;
                            if (received >= nextReport)
                            {
                                _options.Progress?.Report(new WeightsDownloadProgress(weights.FileName, received, total));
                                nextReport = received + ProgressStep;
                            }
                        }
                    }
                    _options.Progress?.Report(new WeightsDownloadProgress(weights.FileName, received, total));
                    if (total is { } expectedLength && received != expectedLength)
                        throw Failure($"The transfer of {uri} was truncated: received {received} of {expectedLength} bytes.", uri);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    actual = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
                }
                if (!Matches(actual, weights.Sha256))
                    throw Failure($"The file downloaded from {uri} has SHA-256 {actual}; {Expected(weights)}. It was discarded (a damaged transfer or a different file at that address).", uri);
                File.Move(temp, path, overwrite: true);
                _logger.LogInformation("Downloaded weights {File}: {Bytes} bytes, SHA-256 {Hash}", path, received, actual);
            }
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); }
            catch (IOException e) { _logger.LogWarning(e, "Could not delete the partial download {File}", temp); }
        }
    }

    private static string Total(long? total) => total?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "an unknown number of";

    private static bool Matches(string actual, string expected) => actual.StartsWith(expected, StringComparison.Ordinal);

    private static string Expected(PretrainedWeights weights) =>
        weights.Sha256.Length == 64 ? $"expected {weights.Sha256}" : $"expected a hash starting with {weights.Sha256}";

    internal static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexString(hash).ToLowerInvariant();
    }
}
