using System.Text;
using System.Text.RegularExpressions;

namespace TransferLearning.Tests.Support;

/// <summary>Reads NumPy .npy files (version 1.0, little-endian float32, C order), as written by the reference fixtures.</summary>
public static partial class Npy
{
    /// <summary>Reads the array's shape and values.</summary>
    public static (long[] Shape, float[] Data) ReadFloat32(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path} is not a .npy file.");
        int headerLength = bytes[8] | bytes[9] << 8;
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        if (!header.Contains("'<f4'")) throw new InvalidDataException($"{path}: only little-endian float32 is supported; header {header}");
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException($"{path}: Fortran order is not supported.");
        var shape = ShapeRegex().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(long.Parse).ToArray();
        int offset = 10 + headerLength;
        var data = new float[(bytes.Length - offset) / 4];
        Buffer.BlockCopy(bytes, offset, data, 0, data.Length * 4);
        long expected = shape.Aggregate(1L, (a, b) => a * b);
        if (data.Length != expected) throw new InvalidDataException($"{path}: shape [{string.Join(", ", shape)}] needs {expected} values, file has {data.Length}.");
        return (shape, data);
    }

    /// <summary>Reads the array as a TorchSharp tensor of its shape.</summary>
    public static TorchSharp.torch.Tensor ReadTensor(string path)
    {
        var (shape, data) = ReadFloat32(path);
        return TorchSharp.torch.tensor(data, shape);
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
