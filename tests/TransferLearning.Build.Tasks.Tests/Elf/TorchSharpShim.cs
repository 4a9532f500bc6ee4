namespace TransferLearning.Build.Tasks.Tests.Elf;

/// <summary>Finds the unmodified libLibTorchSharp.so that TorchSharp's package ships (read-only use).</summary>
internal static class TorchSharpShim
{
    public static string? FindInPackageCache()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                      ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }
}
