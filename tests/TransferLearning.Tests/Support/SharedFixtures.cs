namespace TransferLearning.Tests.Support;

/// <summary>Locates the read-only reference fixtures in <c>../shared/fixtures</c> beside the repository root.</summary>
public static class SharedFixtures
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>Absolute path of a file or folder under <c>shared/fixtures</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine(new[] { Root.Value }.Concat(parts).ToArray());

    private static string FindRoot()
    {
        string? env = Environment.GetEnvironmentVariable("TRANSFERLEARNING_FIXTURES");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        string root = RepositoryPaths.Root;
        string candidate = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(root) ?? root, "shared", "fixtures");
        if (Directory.Exists(candidate)) return candidate;
        throw new DirectoryNotFoundException($"Reference fixtures not found at {candidate} (expected ../shared/fixtures beside the repository; or set TRANSFERLEARNING_FIXTURES).");
    }
}
