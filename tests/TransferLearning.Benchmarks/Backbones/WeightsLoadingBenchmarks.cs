using BenchmarkDotNet.Attributes;
using TransferLearning.Backbones;

namespace TransferLearning.Benchmarks.Backbones;

/// <summary>
/// Loading VGG16's 14.7 M feature weights (58.9 MB) into a backbone from each supported format, against TorchSharp's
/// own <c>Module.load</c> of its own format as the baseline. The files come from the shared torchvision fixture.
/// Run in-process (<c>--inProcess</c>): BenchmarkDotNet's generated out-of-process project does not get the
/// libLibTorchSharp fix on Debian 12 and TorchSharp fails to load there.
/// </summary>
[MemoryDiagnoser]
public class WeightsLoadingBenchmarks
{
    private string _dir = "";
    private string _pth = "";
    private string _safetensors = "";
    private string _torchsharp = "";
    private Vgg16Backbone _vgg = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pth = FindFixture("vgg16-torchvision", "vgg16_features_seed1234.pth");
        _dir = Path.Combine(Path.GetTempPath(), "tl-bench-weights-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _vgg = Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.File, WeightsFile = _pth });
        _torchsharp = Path.Combine(_dir, "vgg16.dat");
        _vgg.save(_torchsharp);
        _safetensors = Path.Combine(_dir, "vgg16.safetensors");
        WriteSafeTensors(_safetensors, _vgg);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _vgg.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "TorchSharp Module.load (.dat)")]
    public void TorchSharpLoad() => _vgg.load(_torchsharp);

    [Benchmark(Description = "LoadWeights torchvision .pth")]
    public void LoadPth() => _vgg.LoadWeights(_pth);

    [Benchmark(Description = "LoadWeights .safetensors")]
    public void LoadSafeTensors() => _vgg.LoadWeights(_safetensors);

    [Benchmark(Description = "LoadWeights TorchSharp .dat")]
    public void LoadTorchSharpFormat() => _vgg.LoadWeights(_torchsharp);

    private static void WriteSafeTensors(string path, Vgg16Backbone vgg)
    {
        var header = new Dictionary<string, object>();
        long offset = 0;
        var tensors = vgg.state_dict().ToList();
        foreach (var (key, t) in tensors)
        {
            long bytes = t.numel() * 4;
            header[key] = new { dtype = "F32", shape = t.shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(header);
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)json.Length));
        file.Write(json);
        foreach (var (_, t) in tensors) file.Write(t.bytes);
    }

    private static string FindFixture(params string[] parts)
    {
        string? env = Environment.GetEnvironmentVariable("TRANSFERLEARNING_FIXTURES");
        if (!string.IsNullOrEmpty(env)) return Path.Combine(new[] { env }.Concat(parts).ToArray());
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TransferLearning.sln")))
                return Path.Combine(new[] { dir.Parent!.FullName, "shared", "fixtures" }.Concat(parts).ToArray());
        throw new DirectoryNotFoundException("TransferLearning.sln not found above " + AppContext.BaseDirectory);
    }
}
