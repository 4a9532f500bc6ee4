namespace TransferLearning.Build.Tasks.Tests;

/// <summary>
/// A console app outside the repository that consumes packed packages from a local folder feed, as a user's app does.
/// The packages restore into a folder of the test's own (never into the shared cache), while packages already in the
/// machine's cache (TorchSharp's are large) come from it as a fallback folder instead of being fetched again.
/// </summary>
internal static class ConsumerApp
{
    /// <summary>Writes <c>app/</c> under <paramref name="directory"/>: nuget.config, App.csproj and Program.cs. Returns its path.</summary>
    public static string Write(string directory, string feed, IEnumerable<(string Id, string Version)> packages, string program)
    {
        string app = Path.Combine(directory, "app");
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
        string references = string.Join("\n", packages.Select(p => $"""    <PackageReference Include="{p.Id}" Version="{p.Version}" />"""));
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <RestorePackagesPath>{Path.Combine(directory, "packages")}</RestorePackagesPath>
                <RestoreAdditionalProjectFallbackFolders>{globalPackages}</RestoreAdditionalProjectFallbackFolders>
              </PropertyGroup>
              <ItemGroup>
            {references}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), program);
        return app;
    }

    /// <summary>Builds and runs the app (Release); asserts both succeed and returns the build's and the run's output.</summary>
    public static (string Build, string Run) BuildAndRun(string app, TimeSpan timeout)
    {
        var build = ProcessRunner.Run("dotnet", "build -c Release", app, timeout);
        Assert.True(build.ExitCode == 0, build.Output);
        var run = ProcessRunner.Run("dotnet", "run -c Release --no-build", app, timeout);
        Assert.True(run.ExitCode == 0, build.Output + "\n" + run.Output);
        return (build.Output, run.Output);
    }
}
