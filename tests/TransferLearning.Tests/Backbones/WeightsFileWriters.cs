using System.IO.Compression;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>Writes small weights files for the reader tests.</summary>
internal static class WeightsFileWriters
{
    /// <summary>A safetensors file: 8-byte header length, JSON header (padded with spaces), raw little-endian data.</summary>
    public static void SafeTensors(string path, IEnumerable<(string Key, Tensor Tensor)> tensors)
    {
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        var data = new MemoryStream();
        foreach (var (key, tensor) in tensors)
        {
            string dtype = tensor.dtype switch
            {
                ScalarType.Float32 => "F32",
                ScalarType.Float16 => "F16",
                ScalarType.Int64 => "I64",
                _ => throw new NotSupportedException(tensor.dtype.ToString()),
            };
            long begin = data.Length;
            using var contiguous = tensor.contiguous();
            data.Write(contiguous.bytes);
            header[key] = new { dtype, shape = tensor.shape, data_offsets = new[] { begin, data.Length } };
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)padded));
        file.Write(json);
        for (int i = json.Length; i < padded; i++) file.WriteByte((byte)' ');
        data.Position = 0;
        data.CopyTo(file);
    }

    /// <summary>A PyTorch zip checkpoint with the given data.pkl and storages (archive/data/&lt;key&gt;).</summary>
    public static void PyTorchZip(string path, byte[] dataPkl, IReadOnlyDictionary<string, byte[]>? storages = null)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        void Add(string name, byte[] bytes)
        {
            using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            s.Write(bytes);
        }
        Add("archive/data.pkl", dataPkl);
        Add("archive/byteorder", Encoding.ASCII.GetBytes("little"));
        foreach (var (key, bytes) in storages ?? new Dictionary<string, byte[]>()) Add("archive/data/" + key, bytes);
        Add("archive/version", Encoding.ASCII.GetBytes("3\n"));
    }

    /// <summary>Pickle bytes written as a readable sequence of strings and bytes.</summary>
    public static byte[] Pickle(params object[] parts)
    {
        var stream = new MemoryStream();
        foreach (var part in parts)
        {
            switch (part)
            {
                case string s: stream.Write(Encoding.Latin1.GetBytes(s)); break;
                case byte b: stream.WriteByte(b); break;
                case byte[] bytes: stream.Write(bytes); break;
                default: throw new ArgumentException(part.GetType().Name);
            }
        }
        return stream.ToArray();
    }

    /// <summary>BINUNICODE of a string.</summary>
    public static byte[] Str(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        return new byte[] { (byte)'X' }.Concat(BitConverter.GetBytes(utf8.Length)).Concat(utf8).ToArray();
    }
}
