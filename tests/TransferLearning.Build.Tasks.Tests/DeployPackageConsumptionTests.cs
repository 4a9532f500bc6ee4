namespace TransferLearning.Build.Tasks.Tests;

/// <summary>
/// Packs the deploy side (TransferLearning.Imaging, TransferLearning.OnnxRuntime) and consumes it in a throwaway app:
/// it builds and runs, and neither TorchSharp nor libtorch is anywhere in its restore graph or output.
/// </summary>
[Trait("Category", "Package")]
public sealed class DeployPackageConsumptionTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);
    private readonly string _dir = Directory.CreateTempSubdirectory("tl-deploy-pkg-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TransferLearning.sln"))) return dir.FullName;
        throw new InvalidOperationException("TransferLearning.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void An_app_on_the_deploy_package_has_no_torchsharp()
    {
        string feed = Path.Combine(_dir, "feed");
        foreach (var project in new[] { "TransferLearning.Imaging", "TransferLearning.OnnxRuntime" })
        {
            var pack = ProcessRunner.Run("dotnet", $"pack \"{Path.Combine(RepoRoot(), "src", project, project + ".csproj")}\" -c Release -o \"{feed}\" -p:ContinuousIntegrationBuild=true", _dir, Timeout);
            Assert.True(pack.ExitCode == 0, pack.Output);
            Assert.True(File.Exists(Path.Combine(feed, $"{project}.0.1.0.nupkg")), pack.Output);
        }

        string app = ConsumerApp.Write(_dir, feed, new[] { ("TransferLearning.OnnxRuntime", "0.1.0") }, """
            using TransferLearning.OnnxRuntime;
            try { using var c = new OnnxImageClassifier("missing.onnx"); }
            catch (FileNotFoundException e) { Console.WriteLine("model: " + e.Message); }
            var decoder = new TransferLearning.Imaging.ImagePixelDecoder();
            Console.WriteLine($"channels={decoder.Channels}");
            """);
        var (_, runOutput) = ConsumerApp.BuildAndRun(app, Timeout);
        Assert.Contains("model: ONNX model 'missing.onnx' does not exist.", runOutput);
        Assert.Contains("channels=3", runOutput);

        string assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        Assert.DoesNotContain("TorchSharp", assets, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("libtorch", assets, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Microsoft.ML.OnnxRuntime", assets);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(app, "bin"), "*torch*", SearchOption.AllDirectories));
    }
}
