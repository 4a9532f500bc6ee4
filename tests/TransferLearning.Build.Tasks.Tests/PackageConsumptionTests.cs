using System.IO.Compression;
using TransferLearning.Build.Tasks.Elf;
using TransferLearning.Build.Tasks.Tests.Elf;

namespace TransferLearning.Build.Tasks.Tests;

/// <summary>
/// Packs the library and consumes the package from a local folder feed in a throwaway console app, as a user
/// would: proof that the buildTransitive fix makes TorchSharp load for package users, not only inside the repo.
/// </summary>
[Trait("Category", "Package")]
public sealed class PackageConsumptionTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);
    private readonly string _dir = Directory.CreateTempSubdirectory("tl-pkg-").FullName;

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

    /// <summary>The repository address defined once in Directory.Build.props.</summary>
    private static string RepositoryUrl()
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(RepoRoot(), "Directory.Build.props"));
        string? url = props.Descendants("TransferLearningRepositoryUrl").SingleOrDefault()?.Value.Trim();
        Assert.False(string.IsNullOrEmpty(url), "Directory.Build.props defines no TransferLearningRepositoryUrl");
        return url!;
    }

    [Fact]
    public void The_package_readme_links_the_docs_with_absolute_addresses_in_the_repository()
    {
        string readme = File.ReadAllText(Path.Combine(RepoRoot(), "src", "TransferLearning", "PACKAGE.md"));
        var links = System.Text.RegularExpressions.Regex.Matches(readme, @"\]\(([^)]+)\)|<(https?://[^>]+)>")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToList();
        Assert.NotEmpty(links);
        Assert.All(links, link => Assert.StartsWith(RepositoryUrl(), link));
        foreach (var link in links.Where(l => l.Contains("/blob/main/")))
        {
            string relative = link[(link.IndexOf("/blob/main/", StringComparison.Ordinal) + "/blob/main/".Length)..];
            Assert.True(File.Exists(Path.Combine(RepoRoot(), relative)), $"PACKAGE.md links {link}, but {relative} is not in the repository.");
        }
    }

    [Fact]
    public void The_packed_package_works_in_a_fresh_app_that_references_TorchSharp_cpu()
    {
        string feed = Path.Combine(_dir, "feed");
        // The decode core is a package of its own that TransferLearning depends on: the feed needs it too.
        var packImaging = ProcessRunner.Run("dotnet", $"pack \"{Path.Combine(RepoRoot(), "src", "TransferLearning.Imaging", "TransferLearning.Imaging.csproj")}\" -c Release -o \"{feed}\" -p:ContinuousIntegrationBuild=true", _dir, Timeout);
        Assert.True(packImaging.ExitCode == 0, packImaging.Output);
        var pack = ProcessRunner.Run("dotnet", $"pack \"{Path.Combine(RepoRoot(), "src", "TransferLearning", "TransferLearning.csproj")}\" -c Release -o \"{feed}\" -p:ContinuousIntegrationBuild=true", _dir, Timeout);
        Assert.True(pack.ExitCode == 0, pack.Output);
        string nupkg = Path.Combine(feed, "TransferLearning.0.1.0.nupkg");
        Assert.True(File.Exists(nupkg), $"Expected {nupkg}; the feed has: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");

        using (var zip = ZipFile.OpenRead(nupkg))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("buildTransitive/TransferLearning.targets", entries);
            Assert.Contains("buildTransitive/tasks/netstandard2.0/TransferLearning.Build.Tasks.dll", entries);
            Assert.Contains("lib/net8.0/TransferLearning.dll", entries);
            Assert.Contains("lib/net10.0/TransferLearning.dll", entries);
            Assert.Contains("lib/net10.0/TransferLearning.xml", entries);
            Assert.Contains("README.md", entries);
            Assert.Contains("icon.png", entries);
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open());
            string manifest = nuspec.ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", manifest);
            Assert.Contains("id=\"TorchSharp\"", manifest);
            Assert.Contains("id=\"TransferLearning.Imaging\"", manifest);
            Assert.DoesNotContain("TorchSharp-cpu", manifest);
            string repositoryUrl = RepositoryUrl();
            Assert.Contains($"<projectUrl>{repositoryUrl}</projectUrl>", manifest);
            Assert.Contains($"<repository type=\"git\" url=\"{repositoryUrl}\"", manifest);
            Assert.Matches("<repository [^>]*commit=\"[0-9a-f]{40}\"", manifest);
            Assert.Contains("<icon>icon.png</icon>", manifest);
        }

        // The symbols package: portable PDBs whose SourceLink map points at the repository's public address.
        string snupkg = Path.Combine(feed, "TransferLearning.0.1.0.snupkg");
        Assert.True(File.Exists(snupkg), $"Expected {snupkg}; the feed has: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
        using (var symbols = ZipFile.OpenRead(snupkg))
        {
            foreach (string tfm in new[] { "net8.0", "net10.0" })
            {
                var pdb = symbols.GetEntry($"lib/{tfm}/TransferLearning.pdb");
                Assert.NotNull(pdb);
                using var stream = new MemoryStream();
                using (var entry = pdb!.Open()) entry.CopyTo(stream);
                string text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
                string owner = new Uri(RepositoryUrl()).AbsolutePath.Trim('/');
                Assert.Contains($"\"/_/*\":\"https://raw.githubusercontent.com/{owner}/", text);
            }
        }

        string app = ConsumerApp.Write(_dir, feed, new[] { ("TransferLearning", "0.1.0"), ("TorchSharp-cpu", "0.107.0") }, """
            using static TorchSharp.torch;
            TransferLearning.Native.TorchNative.EnsureLoaded();
            using var x = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
            Console.WriteLine($"sum={x.sum().item<float>()}");
            """);
        var (buildOutput, runOutput) = ConsumerApp.BuildAndRun(app, Timeout);
        Assert.Contains("sum=15", runOutput);

        string shipped = Path.Combine(app, "bin", "Release", "net10.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        string? system = SystemLibraries.FindLibStdCxx();
        bool systemIsOld = system != null && !ElfVersionNeeds.ReadVersionDefinitions(File.ReadAllBytes(system), system).Contains("GLIBCXX_3.4.32");
        bool weak = ElfVersionNeeds.ReadVersionNeeds(File.ReadAllBytes(shipped), shipped).Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak;
        Assert.Equal(systemIsOld, weak);
        if (systemIsOld) Assert.Contains("marked that version need weak", buildOutput);

        // The shared package cache keeps TorchSharp's original file.
        string? cached = TorchSharpShim.FindInPackageCache();
        Assert.NotNull(cached);
        Assert.False(ElfVersionNeeds.ReadVersionNeeds(File.ReadAllBytes(cached!), cached!).Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
    }
}
