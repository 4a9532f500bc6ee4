using System.Net;
using TransferLearning.Backbones;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// A failed download is one message that says what failed and every way around it: the cache path and the file name
/// to put there, the SHA-256 it must have, the mirror setting, and the backbones that need no download.
/// </summary>
public sealed class WeightsDownloadMessageTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output = output;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tl-msg-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static readonly PretrainedWeights Weights = new("tiny", "tiny-397923af.bin", new Uri("https://weights.invalid/models/tiny-397923af.bin"));

    private WeightsCache Cache(Uri? baseUri) => new(new WeightsCacheOptions
    {
        CacheDirectory = _dir,
        BaseUri = baseUri,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        StallTimeout = TimeSpan.FromSeconds(5),
    });

    private static void AssertHasTheWaysAround(WeightsDownloadException e, string cachePath)
    {
        Assert.StartsWith("Could not download the weights 'tiny-397923af.bin' (SHA-256 starting with 397923af): ", e.Message);
        Assert.Contains($"put the file at {cachePath}", e.Message);
        Assert.Contains(WeightsCacheOptions.CacheDirectoryVariable, e.Message);
        Assert.Contains(WeightsCacheOptions.MirrorVariable, e.Message);
        Assert.Contains("OnnxBackbone.ResNet18FromPackage()", e.Message);
        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18", e.Message);
        Assert.Contains($"{WeightsCacheOptions.OfflineVariable}=1", e.Message);
        Assert.Equal("tiny-397923af.bin", e.FileName);
        Assert.Equal("397923af", e.Sha256);
        Assert.Equal(cachePath, e.CachePath);
    }

    [Fact]
    public async Task A_mirror_that_answers_404_names_the_mirror_the_cache_path_and_the_offline_alternatives()
    {
        using var server = new LoopbackServer((context, ct) =>
        {
            context.Response.StatusCode = (int)HttpStatusCode.NotFound;
            context.Response.Close();
            return Task.CompletedTask;
        });
        var cache = Cache(server.BaseUri);

        var e = await Assert.ThrowsAsync<WeightsDownloadException>(() => cache.GetFileAsync(Weights));

        AssertHasTheWaysAround(e, cache.PathOf(Weights));
        Assert.Contains($"{server.BaseUri}tiny-397923af.bin answered 404 Not Found", e.Message);
        Assert.Contains($"check the mirror in use, {server.BaseUri}", e.Message);
        Assert.Equal(server.BaseUri, e.Mirror);
        Assert.False(File.Exists(cache.PathOf(Weights)));
    }

    [Fact]
    public async Task An_unreachable_server_gives_the_same_single_message_without_a_mirror_set()
    {
        // A loopback port that nobody listens on: the connection is refused at once (no network needed).
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var cache = Cache(new Uri($"http://127.0.0.1:{port}/models/"));

        var e = await Assert.ThrowsAsync<WeightsDownloadException>(() => cache.GetFileAsync(Weights));

        AssertHasTheWaysAround(e, cache.PathOf(Weights));
        _output.WriteLine(e.Message);
        Assert.Contains("could not be reached", e.Message);
        Assert.IsType<HttpRequestException>(e.InnerException);
    }

    [Fact]
    public void The_message_without_a_mirror_says_how_to_set_one()
    {
        var e = new WeightsDownloadException("the host was not found.", Weights.Uri, Weights, "/cache/tiny-397923af.bin", mirror: null);

        Assert.Contains($"set {"$"}{WeightsCacheOptions.MirrorVariable} (or WeightsCacheOptions.BaseUri)", e.Message);
        Assert.Contains("none is set", e.Message);
        Assert.Null(e.Mirror);
    }

    [Fact]
    public void The_mirror_comes_from_the_option_else_the_environment_variable_and_a_bad_value_is_quoted()
    {
        var option = new Uri("https://option.invalid/w/");
        Assert.Equal(option, WeightsCache.ResolveMirror(option, "https://env.invalid/w/"));
        Assert.Equal(new Uri("https://env.invalid/w/"), WeightsCache.ResolveMirror(null, "https://env.invalid/w/"));
        Assert.Null(WeightsCache.ResolveMirror(null, null));
        Assert.Null(WeightsCache.ResolveMirror(null, "  "));
        var e = Assert.Throws<ArgumentException>(() => WeightsCache.ResolveMirror(null, "ftp://nope"));
        Assert.Contains("'ftp://nope'", e.Message);
        Assert.Contains(WeightsCacheOptions.MirrorVariable, e.Message);
    }

    [Fact]
    public void With_a_mirror_the_file_is_fetched_from_the_mirror_plus_its_name()
    {
        var cache = Cache(new Uri("https://mirror.invalid/models"));
        Assert.Equal(new Uri("https://mirror.invalid/models/tiny-397923af.bin"), cache.SourceOf(Weights));
        Assert.Equal(new Uri("https://mirror.invalid/models"), cache.Mirror);
    }
}
