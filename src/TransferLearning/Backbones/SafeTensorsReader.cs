using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace TransferLearning.Backbones;

/// <summary>Reads safetensors files: an 8-byte little-endian header length, a JSON header, then the raw tensors.</summary>
internal static class SafeTensorsReader
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    internal static bool LooksLikeSafeTensors(ReadOnlySpan<byte> head, long fileLength) =>
        head.Length >= 9 && head[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(head) is var n && n <= (ulong)Math.Max(0, fileLength - 8);

    internal static StateDict Read(string path)
    {
        string source = Path.GetFileName(path);
        using var file = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (file.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8) throw new InvalidDataException($"{source}: too short for a safetensors file.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > file.Length - 8)
            throw new InvalidDataException($"{source}: safetensors header length {headerLength} is larger than the file or than {MaxHeaderBytes} bytes.");
        var header = new byte[headerLength];
        file.ReadExactly(header);
        long dataStart = 8 + (long)headerLength, dataLength = file.Length - dataStart;

        JsonDocument json;
        try { json = JsonDocument.Parse(header); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: the safetensors header is not valid JSON ({e.Message}).", e); }
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{source}: the safetensors header is not a JSON object.");
            var result = new StateDict();
            try
            {
                foreach (var property in json.RootElement.EnumerateObject())
                {
                    if (property.Name == "__metadata__") continue;
                    var (type, elementSize) = ParseDtype(property, source);
                    long[] shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                    long[] offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                    if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
                        throw new InvalidDataException($"{source}: '{property.Name}' has data offsets [{string.Join(", ", offsets)}] outside the {dataLength} data bytes.");
                    long numel = shape.Aggregate(1L, (a, b) => b < 0 ? throw new InvalidDataException($"{source}: '{property.Name}' has a negative dimension.") : a * b);
                    if (offsets[1] - offsets[0] != numel * elementSize)
                        throw new InvalidDataException($"{source}: '{property.Name}' of shape [{string.Join(", ", shape)}] needs {numel * elementSize} bytes; its offsets give {offsets[1] - offsets[0]}.");
                    var tensor = empty(shape, type);
                    try
                    {
                        file.Position = dataStart + offsets[0];
                        file.ReadExactly(tensor.bytes);
                    }
                    catch
                    {
                        tensor.Dispose();
                        throw;
                    }
                    result.Add(property.Name, tensor, source);
                }
                return result;
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                result.Dispose();
                throw new InvalidDataException($"{source}: malformed safetensors header entry ({e.Message}).", e);
            }
            catch
            {
                result.Dispose();
                throw;
            }
        }
    }

    private static (ScalarType, int) ParseDtype(JsonProperty property, string source)
    {
        string dtype = property.Value.GetProperty("dtype").GetString() ?? "";
        return dtype switch
        {
            "F32" => (ScalarType.Float32, 4),
            "F64" => (ScalarType.Float64, 8),
            "F16" => (ScalarType.Float16, 2),
            "BF16" => (ScalarType.BFloat16, 2),
            "I64" => (ScalarType.Int64, 8),
            "I32" => (ScalarType.Int32, 4),
            "I16" => (ScalarType.Int16, 2),
            "I8" => (ScalarType.Int8, 1),
            "U8" => (ScalarType.Byte, 1),
            "BOOL" => (ScalarType.Bool, 1),
            _ => throw new InvalidDataException($"{source}: '{property.Name}' has dtype '{dtype}', which is not supported."),
        };
    }
}
