using TransferLearning.Native;

namespace TransferLearning.Backbones;

/// <summary>Reads weights files into a <see cref="StateDict"/>: torchvision <c>.pth</c>, safetensors and TorchSharp's format.</summary>
public static class WeightsFile
{
    /// <summary>Reads every tensor of a weights file, on the CPU, keeping the file's key names and dtypes.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Its format. Default <see cref="WeightsFormat.Auto"/> (recognised from the first bytes).</param>
    /// <returns>A new <see cref="StateDict"/> that the caller disposes.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is damaged or of another kind; for PyTorch files also when the pickle names anything but the globals a
    /// state dict needs (no code from a file ever runs).
    /// </exception>
    public static StateDict Read(string path, WeightsFormat format = WeightsFormat.Auto)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!Enum.IsDefined(format)) throw new ArgumentOutOfRangeException(nameof(format), $"Unknown WeightsFormat value {(int)format}.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        TorchNative.EnsureLoaded();
        if (format == WeightsFormat.Auto) format = DetectFormat(path);
        return format switch
        {
            WeightsFormat.PyTorch => PyTorchCheckpointReader.Read(path),
            WeightsFormat.SafeTensors => SafeTensorsReader.Read(path),
            _ => TorchSharpStateDictReader.Read(path),
        };
    }

    /// <summary>Recognises a weights file's format from its first bytes (see <see cref="WeightsFormat.Auto"/>).</summary>
    /// <param name="path">The file.</param>
    public static WeightsFormat DetectFormat(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[16];
        int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..n];
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return WeightsFormat.PyTorch;
        if (PyTorchCheckpointReader.LooksLikeLegacy(head)) return WeightsFormat.PyTorch;
        if (SafeTensorsReader.LooksLikeSafeTensors(head, file.Length)) return WeightsFormat.SafeTensors;
        return WeightsFormat.TorchSharp;
    }
}
