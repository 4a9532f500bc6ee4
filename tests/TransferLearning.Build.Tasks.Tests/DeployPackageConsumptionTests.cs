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

        string app = Path.Combine(_dir, "app");
        Directory.CreateDirectory(app);
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <RestorePackagesPath>{Path.Combine(_dir, "packages")}</RestorePackagesPath>
                <RestoreAdditionalProjectFallbackFolders>{globalPackages}</RestoreAdditionalProjectFallbackFolders>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TransferLearning.OnnxRuntime" Version="0.1.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using TransferLearning.OnnxRuntime;
            try { using var c = new OnnxImageClassifier("missing.onnx"); }
            catch (FileNotFoundException e) { Console.WriteLine("model: " + e.Message); }
            var decoder = new TransferLearning.Imaging.ImagePixelDecoder();
            Console.WriteLine($"channels={decoder.Channels}");
            """);

        var build = ProcessRunner.Run("dotnet", "build -c Release", app, Timeout);
        Assert.True(build.ExitCode == 0, build.Output);
        var run = ProcessRunner.Run("dotnet", "run -c Release --no-build", app, Timeout);
        Assert.True(run.ExitCode == 0, build.Output + "\n" + run.Output);
        Assert.Contains("model: ONNX model 'missing.onnx' does not exist.", run.Output);
        Assert.Contains("channels=3", run.Output);

        string assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        Assert.DoesNotContain("TorchSharp", assets, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("libtorch", assets, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Microsoft.ML.OnnxRuntime", assets);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(app, "bin"), "*torch*", SearchOption.AllDirectories));
    }
}
