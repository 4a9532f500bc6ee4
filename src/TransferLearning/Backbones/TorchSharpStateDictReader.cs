using static TorchSharp.torch;

namespace TransferLearning.Backbones;

/// <summary>
/// Reads TorchSharp's own format (<c>Module.save</c>): a LEB128 count, then per entry a .NET string key, the LEB128
/// scalar type, rank and dimensions, and the raw bytes.
/// </summary>
internal static class TorchSharpStateDictReader
{
    internal static StateDict Read(string path)
    {
        string source = Path.GetFileName(path);
        using var file = File.OpenRead(path);
        using var reader = new BinaryReader(file);
        var result = new StateDict();
        try
        {
            long count = Decode(reader, source);
            if (count < 0 || count > 1_000_000) throw new InvalidDataException($"{source}: not a TorchSharp weights file (entry count {count}).");
            for (long i = 0; i < count; i++)
            {
                string key = reader.ReadString();
                long typeCode = Decode(reader, source);
                if (!Enum.IsDefined(typeof(ScalarType), (sbyte)typeCode) || typeCode > sbyte.MaxValue)
                    throw new InvalidDataException($"{source}: '{key}' has unknown scalar type {typeCode}; is this a TorchSharp weights file?");
                var type = (ScalarType)(sbyte)typeCode;
                long rank = Decode(reader, source);
                if (rank < 0 || rank > 16) throw new InvalidDataException($"{source}: '{key}' has rank {rank}; is this a TorchSharp weights file?");
                var shape = new long[rank];
                for (int d = 0; d < rank; d++) shape[d] = Decode(reader, source);
                long numel = shape.Aggregate(1L, (a, b) => a * b);
                int elementSize = ElementSize(type, source, key);
                if (numel < 0 || numel * elementSize > file.Length - file.Position)
                    throw new InvalidDataException($"{source}: '{key}' of shape [{string.Join(", ", shape)}] runs past the end of the file (truncated or not a TorchSharp weights file).");
                var tensor = empty(shape, type);
                try { file.ReadExactly(tensor.bytes); }
                catch { tensor.Dispose(); throw; }
                result.Add(key, tensor, source);
            }
            if (file.Position != file.Length) throw new InvalidDataException($"{source}: {file.Length - file.Position} bytes follow the last entry; not a TorchSharp weights file.");
            return result;
        }
        catch (EndOfStreamException e)
        {
            result.Dispose();
            throw new InvalidDataException($"{source}: the file ends early (truncated or not a TorchSharp weights file).", e);
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static long Decode(BinaryReader reader, string source)
    {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = reader.ReadByte();
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException($"{source}: a number is longer than 64 bits; not a TorchSharp weights file.");
    }

    private static int ElementSize(ScalarType type, string source, string key) => type switch
    {
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float64 or ScalarType.Int64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new InvalidDataException($"{source}: '{key}' has scalar type {type}, which is not supported."),
    };
}
