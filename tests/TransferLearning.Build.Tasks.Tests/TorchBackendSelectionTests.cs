namespace TransferLearning.Build.Tasks.Tests;

/// <summary>
/// The apps of this repository get the CPU backend by default on every operating system, and the CUDA backend of the
/// operating system with <c>-p:TorchBackend=cuda</c> (evaluated only: the CUDA packages cannot be restored here).
/// </summary>
public sealed class TorchBackendSelectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TransferLearning.sln"))) return dir.FullName;
        throw new InvalidOperationException("TransferLearning.sln not found above " + AppContext.BaseDirectory);
    }

    private static (int ExitCode, string Output) MsBuild(string arguments)
    {
        string project = Path.Combine(RepoRoot(), "samples", "Quickstart", "Quickstart.csproj");
        return ProcessRunner.Run("dotnet", $"msbuild \"{project}\" -nologo {arguments}", RepoRoot(), Timeout);
    }

    private static string[] TorchSharpBackends(string extra)
    {
        var (exitCode, output) = MsBuild($"-getItem:PackageReference {extra}");
        Assert.True(exitCode == 0, output);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        return json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!)
            .Where(id => id.StartsWith("TorchSharp-", StringComparison.Ordinal))
            .ToArray();
    }

    [Fact]
    public void By_default_an_app_references_TorchSharp_cpu_only()
    {
        Assert.Equal(new[] { "TorchSharp-cpu" }, TorchSharpBackends(""));
    }

    [Fact]
    public void TorchBackend_cuda_picks_the_CUDA_package_of_this_operating_system()
    {
        string expected = OperatingSystem.IsWindows() ? "TorchSharp-cuda-windows" : "TorchSharp-cuda-linux";
        if (!OperatingSystem.IsWindows() && !OperatingSystem.IsLinux()) return; // macOS: an error, tested below on Linux only
        Assert.Equal(new[] { expected }, TorchSharpBackends("-p:TorchBackend=cuda"));
    }

    [Fact]
    public void An_unknown_backend_is_an_error_quoting_it()
    {
        var (exitCode, output) = MsBuild("-t:_TransferLearningCheckTorchBackend -p:TorchBackend=rocm");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("TorchBackend must be 'cpu' (the default) or 'cuda'; got 'rocm'.", output);
    }
}
