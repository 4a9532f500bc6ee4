namespace TransferLearning.Tests.Support;

/// <summary>The repository checkout the tests run from (the folder holding TransferLearning.sln).</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>Absolute path of the repository root.</summary>
    public static string Root => RootPath.Value;

    /// <summary>Absolute path of a file or folder under the repository root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine(new[] { Root }.Concat(parts).ToArray());

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "TransferLearning.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("TransferLearning.sln not found above " + AppContext.BaseDirectory);
    }
}
