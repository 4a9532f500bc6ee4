using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using TransferLearning.Backbones;
using Xunit.Abstractions;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// The cache against a loopback server this class starts (127.0.0.1, a free port); every test stops its server.
/// Timeouts are set to about a second so the stalling cases end quickly.
/// </summary>
public sealed class WeightsCacheTests : IDisposable
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1);
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tl-cache-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] _body = Enumerable.Range(0, 3 * 1024 * 1024 + 17).Select(i => (byte)(i * 31 % 251)).ToArray();

    public WeightsCacheTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string Hash => Convert.ToHexString(SHA256.HashData(_body)).ToLowerInvariant();

    private PretrainedWeights Weights(string? sha = null, string? prefix = null)
    {
        string name = $"tiny-{prefix ?? Hash[..8]}.bin";
        return new PretrainedWeights("tiny", name, new Uri("https://weights.invalid/models/" + name), sha);
    }

    private WeightsCache Cache(LoopbackServer? server, bool offline = false, IProgress<WeightsDownloadProgress>? progress = null) => new(new WeightsCacheOptions
    {
        CacheDirectory = _dir,
        BaseUri = server?.BaseUri,
        Offline = offline,
        ConnectTimeout = Short,
        StallTimeout = Short,
        Progress = progress,
    });

    private sealed class Recorder : IProgress<WeightsDownloadProgress>
    {
        public List<WeightsDownloadProgress> Reports { get; } = new();

        public void Report(WeightsDownloadProgress value)
        {
            lock (Reports) Reports.Add(value);
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries) Entries.Add((logLevel, formatter(state, exception)));
        }
    }

    [Fact]
    public async Task Downloads_and_cache_hits_are_logged()
    {
        using var server = new LoopbackServer(LoopbackServer.Serve(_body));
        var logger = new ListLogger();
        var weights = Weights();
        var options = new WeightsCacheOptions { CacheDirectory = _dir, BaseUri = server.BaseUri, Logger = logger };
        await new WeightsCache(options).GetFileAsync(weights);
        await new WeightsCache(options).GetFileAsync(weights);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith($"Downloading weights {weights.FileName} from {server.BaseUri}", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains($"{_body.Length} bytes, SHA-256 {Hash}"));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Debug && e.Message.StartsWith("Using cached weights", StringComparison.Ordinal));
    }

    private void AssertNothingCached()
    {
        Assert.True(!Directory.Exists(_dir) || Directory.GetFiles(_dir).Length == 0,
            "cache folder holds: " + string.Join(", ", Directory.Exists(_dir) ? Directory.GetFiles(_dir) : Array.Empty<string>()));
    }

    [Fact]
    public async Task A_good_file_is_downloaded_verified_reported_and_then_served_from_the_cache()
    {
        using var server = new LoopbackServer(LoopbackServer.Serve(_body));
        var progress = new Recorder();
        var weights = Weights();
        string path = await Cache(server, progress: progress).GetFileAsync(weights);
        Assert.Equal(Path.Combine(_dir, weights.FileName), path);
        Assert.Equal(_body, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir));
        Assert.Equal(1, server.Requests);
        Assert.Equal(new WeightsDownloadProgress(weights.FileName, _body.Length, _body.Length), progress.Reports[^1]);
        Assert.True(progress.Reports.Count >= 4, $"{progress.Reports.Count} progress reports");
        Assert.Equal(progress.Reports.Select(r => r.BytesReceived).Order(), progress.Reports.Select(r => r.BytesReceived));

        string again = await Cache(server).GetFileAsync(weights);
        Assert.Equal(path, again);
        Assert.Equal(1, server.Requests);
        Assert.Equal(path, await Cache(null, offline: true).GetFileAsync(weights));
    }

    [Fact]
    public async Task A_full_hash_is_checked_in_full()
    {
        using var server = new LoopbackServer(LoopbackServer.Serve(_body));
        string path = await Cache(server).GetFileAsync(Weights(sha: Hash));
        Assert.True(File.Exists(path));

        string wrong = Hash[..63] + (Hash[63] == '0' ? '1' : '0');
        var e = await Assert.ThrowsAsync<WeightsDownloadException>(() => Cache(server).GetFileAsync(Weights(sha: wrong, prefix: "00000000")));
        Assert.Contains($"expected {wrong}", e.Message);
    }

    [Fact]
    public async Task A_wrong_hash_is_refused_and_nothing_is_cached()
    {
        using var server = new LoopbackServer(LoopbackServer.Serve(_body));
        var weights = Weights(prefix: "397923af");
        var e = await Assert.ThrowsAsync<WeightsDownloadException>(() => Cache(server).GetFileAsync(weights));
        _output.WriteLine(e.Message);
        Assert.Contains($"has SHA-256 {Hash}; expected a hash starting with 397923af", e.Message);
        Assert.Equal(new Uri(server.BaseUri, weights.FileName), e.Uri);
        AssertNothingCached();
    }

    [Fact]
    public async Task A_truncated_transfer_is_refused_and_nothing_is_cached()
    {
        using var server = new LoopbackServer(async (context, ct) =>
        {
            context.Response.ContentLength64 = _body.Length;
            await context.Response.OutputStream.WriteAsync(_body.AsMemory(0, _body.Length / 2), ct);
            await context.Response.OutputStream.FlushAsync(ct);
            context.Response.Abort();
        });
        var e = await Assert.ThrowsAsync<WeightsDownloadException>(() => Cache(server).GetFileAsync(Weights()));
        _output.WriteLine(e.Message);
        Assert.Matches("broke off after [0-9]+ of " + _body.Length + " bytes|truncated: received [0-9]+ of " + _body.Length + " bytes", e.Message);
        AssertNothingCached();
    }

    [Fact]
    public async Task A_404_names_the_status_and_the_address()
    {
        using var server = new LoopbackServer((context, ct) =>
        {
            context.Response.StatusCode = 404;
            context.Response.Close();
            return Task.CompletedTask;
        });
        var weights = Weights();
        var e = await Assert.ThrowsAsync<WeightsDownloadException>(() => Cache(server).GetFileAsync(weights));
        _output.WriteLine(e.Message);
        Assert.Contains($"{server.BaseUri}{weights.FileName} answered 404 Not Found", e.Message);
        AssertNothingCached();
    }

    [Fact]
    public async Task A_server_that_stalls_mid_transfer_times_out()
    {
        using var server = new LoopbackServer(async (context, ct) =>
        {
            context.Response.ContentLength64 = _body.Length;
            await context.Response.OutputStream.WriteAsync(_body.AsMemory(0, 1000), ct);
            await context.Response.OutputStream.FlushAsync(ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<WeightsDownloadException>(() => Cache(server).GetFileAsync(Weights()));
        _output.WriteLine(e.Message);
        Assert.Contains("stalled: no data for 1 s", e.Message);
        Assert.Contains($"of {_body.Length} bytes", e.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
        AssertNothingCached();
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out()
    {
        using var server = new LoopbackServer((context, ct) => Task.Delay(Timeout.Infinite, ct));
        var e = await Assert.ThrowsAsync<WeightsDownloadException>(() => Cache(server).GetFileAsync(Weights()));
        _output.WriteLine(e.Message);
        Assert.Contains("No response from", e.Message);
        Assert.Contains("within 1 s", e.Message);
        AssertNothingCached();
    }

    [Fact]
    public async Task Offline_without_a_cached_file_fails_clearly_and_asks_no_server()
    {
        using var server = new LoopbackServer(LoopbackServer.Serve(_body));
        var weights = Weights();
        var cache = Cache(server, offline: true);
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => cache.GetFileAsync(weights));
        _output.WriteLine(e.Message);
        Assert.Equal(Path.Combine(_dir, weights.FileName), e.FileName);
        Assert.Contains("offline mode is on", e.Message);
        Assert.Contains(WeightsCacheOptions.CacheDirectoryVariable, e.Message);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task A_damaged_cached_file_is_downloaded_again_online_and_refused_offline()
    {
        using var server = new LoopbackServer(LoopbackServer.Serve(_body));
        var weights = Weights();
        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, weights.FileName);
        File.WriteAllBytes(path, _body[..100]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Cache(server, offline: true).GetFileAsync(weights));
        _output.WriteLine(e.Message);
        Assert.Contains("damaged", e.Message);
        Assert.Equal(0, server.Requests);

        Assert.Equal(path, await Cache(server).GetFileAsync(weights));
        Assert.Equal(_body, File.ReadAllBytes(path));
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Cancellation_stops_a_download()
    {
        using var server = new LoopbackServer(async (context, ct) =>
        {
            context.Response.ContentLength64 = _body.Length;
            await context.Response.OutputStream.WriteAsync(_body.AsMemory(0, 1000), ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var cache = new WeightsCache(new WeightsCacheOptions { CacheDirectory = _dir, BaseUri = server.BaseUri, StallTimeout = TimeSpan.FromSeconds(20) });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.GetFileAsync(Weights(), cts.Token));
        AssertNothingCached();
    }

    [Fact]
    public void The_cache_folder_comes_from_the_option_then_the_environment_then_the_user_cache()
    {
        string? saved = Environment.GetEnvironmentVariable(WeightsCacheOptions.CacheDirectoryVariable);
        try
        {
            Environment.SetEnvironmentVariable(WeightsCacheOptions.CacheDirectoryVariable, Path.Combine(_dir, "from-env"));
            Assert.Equal(Path.Combine(_dir, "from-env"), new WeightsCache().CacheDirectory);
            Assert.Equal(Path.Combine(_dir, "from-option"), new WeightsCache(new WeightsCacheOptions { CacheDirectory = Path.Combine(_dir, "from-option") }).CacheDirectory);
            Environment.SetEnvironmentVariable(WeightsCacheOptions.CacheDirectoryVariable, null);
            Assert.EndsWith("transferlearning", new WeightsCache().CacheDirectory);
        }
        finally
        {
            Environment.SetEnvironmentVariable(WeightsCacheOptions.CacheDirectoryVariable, saved);
        }
    }

    [Fact]
    public void The_published_vgg16_file_is_described_by_torchvisions_address_and_hash_prefix()
    {
        var w = Vgg16.ImageNetWeights;
        Assert.Equal("vgg16-397923af.pth", w.FileName);
        Assert.Equal("397923af", w.Sha256);
        Assert.EndsWith("/models/vgg16-397923af.pth", w.Uri.AbsoluteUri);
        var cache = new WeightsCache(new WeightsCacheOptions { CacheDirectory = _dir, BaseUri = new Uri("http://127.0.0.1:1/mirror") });
        Assert.Equal("http://127.0.0.1:1/mirror/vgg16-397923af.pth", cache.SourceOf(w).AbsoluteUri);
    }

    [Fact]
    public void Weights_descriptions_are_validated()
    {
        var uri = new Uri("https://weights.invalid/x");
        Assert.Contains("no hex hash prefix", Assert.Throws<ArgumentException>(() => new PretrainedWeights("x", "plain.pth", uri)).Message);
        Assert.Contains("'../evil'", Assert.Throws<ArgumentException>(() => new PretrainedWeights("x", "../evil", uri, "397923af")).Message);
        Assert.Contains("'xyz'", Assert.Throws<ArgumentException>(() => new PretrainedWeights("x", "a.pth", uri, "xyz")).Message);
    }

    [Fact]
    public async Task Vgg16_loads_ImageNet_weights_from_the_cache_and_refuses_a_file_with_the_wrong_hash()
    {
        // The fixture checkpoint is not torchvision's published file, so its SHA-256 does not start with 397923af:
        // served under that name, the download is refused.
        byte[] checkpoint = File.ReadAllBytes(Vgg16ParityTests.Checkpoint);
        using var server = new LoopbackServer(LoopbackServer.Serve(checkpoint));
        var options = new Vgg16Options
        {
            Weights = Vgg16Weights.ImageNet,
            Cache = new WeightsCacheOptions { CacheDirectory = _dir, BaseUri = server.BaseUri, ConnectTimeout = TimeSpan.FromSeconds(10), StallTimeout = TimeSpan.FromSeconds(10) },
        };
        var e = await Assert.ThrowsAsync<WeightsDownloadException>(() => Vgg16.CreateAsync(options));
        _output.WriteLine(e.Message);
        Assert.Contains("expected a hash starting with 397923af", e.Message);
        AssertNothingCached();

        // A cached copy with verification off (the user's choice) goes straight to the strict loader.
        File.Copy(Vgg16ParityTests.Checkpoint, Path.Combine(_dir, "vgg16-397923af.pth"));
        options.Cache.Offline = true;
        options.Cache.VerifyCachedFiles = false;
        using var vgg = await Vgg16.CreateAsync(options);
        using var weights = WeightsFile.Read(Vgg16ParityTests.Checkpoint);
        Assert.True(vgg.state_dict()["features.28.weight"].allclose(weights["features.28.weight"], rtol: 0, atol: 0));
    }
}
