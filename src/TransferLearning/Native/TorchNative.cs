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

    /// <summary>
    /// Turns a device name into a usable device, checking that it exists in this process: <c>auto</c> (or <c>null</c> /
    /// empty) is CUDA when available and the CPU otherwise; <c>cpu</c>; <c>cuda</c> or <c>cuda:N</c> for an NVIDIA GPU.
    /// Use it instead of <c>torch.CUDA</c>, whose failure on the CPU backend names neither the package nor the fix.
    /// </summary>
    /// <param name="name">auto, cpu, cuda or cuda:N (case-insensitive).</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is none of these; the message quotes it.</exception>
    /// <exception cref="TorchDeviceUnavailableException">CUDA was asked for and cannot be used; the message names the backend package to reference.</exception>
    public static torch.Device ResolveDevice(string? name)
    {
        EnsureLoaded();
        string value = (name ?? "").Trim().ToLowerInvariant();
        if (value is "" or "auto") return torch.cuda.is_available() ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
        if (value == "cpu") return torch.CPU;
        var match = CudaNameRegex().Match(value);
        if (!match.Success)
            throw new ArgumentException($"Unknown device '{name}': expected auto, cpu, cuda or cuda:N.", nameof(name));
        int index = match.Groups[1].Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var device = new torch.Device(DeviceType.CUDA, index);
        EnsureAvailable(device);
        return device;
    }

    /// <summary>Checks that <paramref name="device"/> can be used in this process; the CPU always can.</summary>
    /// <param name="device">The device to check.</param>
    /// <exception cref="TorchDeviceUnavailableException">A CUDA device that cannot be used; the message names the backend package to reference.</exception>
    public static void EnsureAvailable(torch.Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        EnsureLoaded();
        if (device.type != DeviceType.CUDA) return;
        bool available = torch.cuda.is_available();
        int count = available ? torch.cuda.device_count() : 0;
        if (available && device.index < count) return;
        throw ExplainUnavailableCuda(device.ToString(), HasLibTorchCuda(AppContext.BaseDirectory), count);
    }

    /// <summary>The message for a CUDA device that cannot be used (separate for tests).</summary>
    internal static TorchDeviceUnavailableException ExplainUnavailableCuda(string requested, bool backendHasCuda, int deviceCount)
    {
        const string cpuWay = "Or train on the CPU: device auto or cpu (TransferTrainerOptions.Device = null or torch.CPU; --device cpu in the samples).";
        if (!backendHasCuda)
        {
            return new TorchDeviceUnavailableException(
                $"Device '{requested}' was asked for, but this app's TorchSharp backend is CPU-only (TorchSharp-cpu: there is no libtorch_cuda next to the app). " +
                $"To use an NVIDIA GPU, replace the app's TorchSharp-cpu package reference with TorchSharp-cuda-linux (Linux) or TorchSharp-cuda-windows (Windows), " +
                $"version {TorchSharpVersion} like TorchSharp, and install the NVIDIA driver; in this repository build with -p:TorchBackend=cuda. {cpuWay} " +
                "See docs/troubleshooting.md.", requested, backendHasCuda: false);
        }
        if (deviceCount == 0)
        {
            return new TorchDeviceUnavailableException(
                $"Device '{requested}' was asked for and the app has TorchSharp's CUDA backend, but no CUDA device is usable: no NVIDIA GPU is visible, " +
                "or its driver is missing or too old for the backend's CUDA version (check nvidia-smi, and CUDA_VISIBLE_DEVICES if it is set). " +
                $"{cpuWay} See docs/troubleshooting.md.", requested, backendHasCuda: true);
        }
        return new TorchDeviceUnavailableException(
            $"Device '{requested}' was asked for, but this machine has {deviceCount} CUDA device(s): use cuda:0 to cuda:{deviceCount - 1}.",
            requested, backendHasCuda: true);
    }

    private static string TorchSharpVersion
    {
        get
        {
            var v = typeof(torch).Assembly.GetName().Version;
            return v is null ? "the same as TorchSharp's" : $"{v.Major}.{v.Minor}.{v.Build}";
        }
    }

    /// <summary>Whether the app's folder holds libtorch's CUDA library (a TorchSharp-cuda-* backend).</summary>
    internal static bool HasLibTorchCuda(string appDirectory)
    {
        string name = OperatingSystem.IsWindows() ? "torch_cuda.dll" : "libtorch_cuda.so";
        return Directory.Exists(appDirectory)
            && Directory.EnumerateFiles(appDirectory, name, SearchOption.AllDirectories).Any();
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

    [GeneratedRegex(@"^cuda(?::([0-9]{1,3}))?$")]
    private static partial Regex CudaNameRegex();

    [GeneratedRegex(@"version [`'‘]?(GLIBCXX_[0-9.]+)")]
    private static partial Regex GlibcxxRegex();
}
