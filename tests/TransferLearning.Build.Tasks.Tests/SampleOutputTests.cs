namespace TransferLearning.Build.Tasks.Tests;

/// <summary>
/// The fruit sample with its standard output redirected (as in a pipe or CI log) writes plain, unwrapped lines: the
/// CUDA-on-CPU error stays one line of well over 80 characters and names the packages to add.
/// </summary>
public sealed class SampleOutputTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TransferLearning.sln"))) return dir.FullName;
        throw new InvalidOperationException("TransferLearning.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Redirected_the_sample_writes_the_device_error_as_one_plain_line()
    {
        string project = Path.Combine(RepoRoot(), "samples", "FruitClassifier", "FruitClassifier.csproj");
        var (exitCode, output) = ProcessRunner.Run("dotnet", $"run --project \"{project}\" -- --device cuda", RepoRoot(), Timeout);

        Assert.True(exitCode == 1, $"exit code {exitCode}: {output}");
        string line = output.Split('\n').Single(l => l.StartsWith("error:", StringComparison.Ordinal)).TrimEnd('\r');
        Assert.True(line.Length > 200, $"the error was wrapped: '{line}'");
        Assert.Contains("TorchSharp-cuda-linux", line);
        Assert.Contains("TorchSharp-cuda-windows", line);
        Assert.Contains("See docs/troubleshooting.md.", line);
        Assert.DoesNotContain("\u001b[", output); // no ANSI colour codes
    }
}
