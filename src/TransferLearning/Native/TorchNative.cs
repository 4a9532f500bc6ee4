using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;

namespace TransferLearning.Native;

/// <summary>
/// The one place the library first touches TorchSharp. When the native backend cannot load, it throws a
/// <see cref="TorchNativeLoadException"/> that names the missing backend package or the too-old system library
/// and the fix, instead of TorchSharp's list of every path it tried.
/// </summary>
public static partial class TorchNative
{
    private static readonly Lazy<Exception?> LoadError = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads TorchSharp's native backend once; later calls return at once.</summary>
    /// <exception cref="TorchNativeLoadException">The backend is missing or cannot load on this system.</exception>
    public static void EnsureLoaded()
    {
        if (LoadError.Value is { } error) throw error;
    }

    /// <summary>Whether a CUDA device is usable (false when the backend is CPU-only or no GPU is present).</summary>
    public static bool IsCudaAvailable
    {
        get
        {
            EnsureLoaded();
            return torch.cuda.is_available();
        }
    }

    private static Exception? TryLoad()
    {
        try
        {
            using var probe = torch.zeros(1);
            return null;
        }
        catch (Exception e)
        {
            return Explain(e, AppContext.BaseDirectory);
        }
    }

    /// <summary>Turns TorchSharp's load failure into an actionable message (separate for tests).</summary>
    internal static TorchNativeLoadException Explain(Exception error, string appDirectory)
    {
        string all = Flatten(error);
        var shim = FindShim(appDirectory);
        string? loaderMessage = null;
        if (shim != null && !NativeLibrary.TryLoad(shim, out _))
        {
            try { NativeLibrary.Load(shim); }
            catch (Exception e) { loaderMessage = e.Message; }
        }
        string evidence = loaderMessage ?? all;

        var glibcxx = GlibcxxRegex().Match(evidence);
        if (glibcxx.Success)
        {
            return new TorchNativeLoadException(
                $"TorchSharp's native shim cannot load: the system libstdc++ lacks {glibcxx.Groups[1].Value} " +
                $"(it is older than GCC 13's, as on Debian 12 and Ubuntu 22.04). TransferLearning fixes the app's copy of " +
                $"libLibTorchSharp.so when the app is built or published with the TransferLearning package referenced; " +
                $"this copy ({shim ?? "not found"}) was not fixed. Rebuild the app with `dotnet build` (not a plain file copy), " +
                $"make sure <TransferLearningFixLibTorchSharp> is not false, or install a libstdc++ from GCC 13 or later. " +
                $"See docs/troubleshooting.md.", error);
        }

        if (shim == null || all.Contains("libtorch", StringComparison.OrdinalIgnoreCase) && !HasLibTorch(appDirectory))
        {
            return new TorchNativeLoadException(
                "TorchSharp's native backend is missing from this app. Add one backend package to the app's project " +
                "(not to a library): TorchSharp-cpu for CPU on Linux, macOS and Windows; TorchSharp-cuda-windows or " +
                "TorchSharp-cuda-linux for NVIDIA GPUs. Its version must match TorchSharp's " +
                $"({typeof(torch).Assembly.GetName().Version}). See docs/troubleshooting.md.", error);
        }

        return new TorchNativeLoadException(
            $"TorchSharp's native library ({shim}) could not be loaded: {FirstLine(evidence)} " +
            "See docs/troubleshooting.md.", error);
    }

    private static string? FindShim(string appDirectory)
    {
        string name = OperatingSystem.IsWindows() ? "LibTorchSharp.dll"
            : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        string rid = RuntimeInformation.RuntimeIdentifier;
        string[] candidates =
        {
            Path.Combine(appDirectory, "runtimes", rid, "native", name),
            Path.Combine(appDirectory, "runtimes", PortableRid(), "native", name),
            Path.Combine(appDirectory, name),
        };
        return candidates.FirstOrDefault(File.Exists);
    }

    private static bool HasLibTorch(string appDirectory)
    {
        string name = OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        return Directory.Exists(appDirectory)
            && Directory.EnumerateFiles(appDirectory, name, SearchOption.AllDirectories).Any();
    }

    private static string PortableRid()
    {
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        return $"{os}-{arch}";
    }

    private static string Flatten(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x != null; x = x.InnerException) parts.Add(x.Message);
        return string.Join(" | ", parts);
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n');
        return newline < 0 ? text : text[..newline];
    }

    [GeneratedRegex(@"version [`'‘]?(GLIBCXX_[0-9.]+)")]
    private static partial Regex GlibcxxRegex();
}
