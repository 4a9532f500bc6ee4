using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using static TorchSharp.torch;
using Spec = TransferLearning.Backbones.RestrictedUnpickler.TensorSpec;

namespace TransferLearning.Backbones;

/// <summary>
/// Reads <c>torch.save</c>d state dicts without Python and without running anything from the file: the zip format
/// (PyTorch 1.6+: <c>archive/data.pkl</c> + <c>archive/data/&lt;key&gt;</c>) and the legacy format (magic number, protocol,
/// system info, the pickled object, the storage keys, then each storage's bytes) that torchvision's published weights use.
/// The pickles go through <see cref="RestrictedUnpickler"/>.
/// </summary>
internal static class PyTorchCheckpointReader
{
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356");

    private sealed record StorageRef(string Key, ScalarType Type, int ElementSize, long Numel, long ViewOffset);

    internal static bool LooksLikeLegacy(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0x80 && head[2] == 0x8a && head[3] == 0x0a;

    internal static StateDict Read(string path)
    {
        string source = Path.GetFileName(path);
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        int n = file.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        file.Position = 0;
        if (n == 4 && head[0] == 'P' && head[1] == 'K') return ReadZip(file, source);
        if (n == 4 && LooksLikeLegacy(head)) return ReadLegacy(file, source);
        throw new InvalidDataException($"{source} is not a PyTorch checkpoint: it is neither a zip (PyTorch 1.6+) nor a legacy torch.save file.");
    }

    private static StateDict ReadZip(Stream file, string source)
    {
        ZipArchive zip;
        try { zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{source}: the zip archive is damaged ({e.Message}).", e); }
        using (zip)
        {
            var pkls = zip.Entries.Where(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).ToList();
            if (pkls.Count != 1) throw new InvalidDataException($"{source}: expected one data.pkl in the archive, found {pkls.Count}.");
            string prefix = pkls[0].FullName[..^"data.pkl".Length];
            var byteOrder = zip.GetEntry(prefix + "byteorder");
            if (byteOrder is not null)
            {
                using var reader = new StreamReader(byteOrder.Open());
                string order = reader.ReadToEnd().Trim();
                if (order != "little") throw new InvalidDataException($"{source}: byte order '{order}' is not supported (only little-endian).");
            }

            var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
            object? root;
            using (var pkl = new MemoryStream())
            {
                using (var s = pkls[0].Open()) s.CopyTo(pkl);
                pkl.Position = 0;
                root = new RestrictedUnpickler(pkl, source, pid => ZipStorage(pid, storages, source)).Load();
            }
            var specs = StateDictSpecs(root, source);
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (var storage in storages.Values)
                {
                    var entry = zip.GetEntry(prefix + "data/" + storage.Key)
                        ?? throw new InvalidDataException($"{source}: storage '{storage.Key}' is missing from the archive.");
                    if (entry.Length < storage.Numel * storage.ElementSize)
                        throw new InvalidDataException($"{source}: storage '{storage.Key}' holds {entry.Length} bytes; {storage.Numel} values of {storage.Type} need {storage.Numel * storage.ElementSize}.");
                    using var s = entry.Open();
                    tensors[storage.Key] = ReadStorage(s, storage, source);
                }
                return Materialise(specs, tensors, source);
            }
            finally
            {
                foreach (var t in tensors.Values) t.Dispose();
            }
        }
    }

    private static StateDict ReadLegacy(Stream file, string source)
    {
        var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        object NoPersistent(object? pid) => throw new InvalidDataException($"{source}: unexpected persistent id in a header pickle.");
        var magic = new RestrictedUnpickler(file, source, NoPersistent).Load();
        if (magic is not BigInteger m || m != LegacyMagic) throw new InvalidDataException($"{source}: wrong magic number; not a legacy torch.save file.");
        var protocol = new RestrictedUnpickler(file, source, NoPersistent).Load();
        if (protocol is not long p || p != 1001) throw new InvalidDataException($"{source}: legacy protocol version {RestrictedUnpickler.Describe(protocol)} is not supported (expected 1001).");
        var sysInfo = new RestrictedUnpickler(file, source, NoPersistent).Load() as RestrictedUnpickler.PickleDict;
        if (sysInfo?.Get("little_endian") is false) throw new InvalidDataException($"{source}: written on a big-endian machine; not supported.");
        var root = new RestrictedUnpickler(file, source, pid => LegacyStorage(pid, storages, source)).Load();
        var keys = new RestrictedUnpickler(file, source, NoPersistent).Load() as List<object?>
            ?? throw new InvalidDataException($"{source}: the list of storage keys is missing after the pickled object.");
        var specs = StateDictSpecs(root, source);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            Span<byte> sizeBytes = stackalloc byte[8];
            foreach (var keyObject in keys)
            {
                if (keyObject is not string key || !storages.TryGetValue(key, out var storage))
                    throw new InvalidDataException($"{source}: storage key {RestrictedUnpickler.Describe(keyObject)} is not used by any tensor.");
                try { file.ReadExactly(sizeBytes); }
                catch (EndOfStreamException) { throw new InvalidDataException($"{source}: the file ends before storage '{key}' (truncated)."); }
                long numel = BinaryPrimitives.ReadInt64LittleEndian(sizeBytes);
                if (numel != storage.Numel)
                    throw new InvalidDataException($"{source}: storage '{key}' says it holds {numel} values; the tensors' record says {storage.Numel}.");
                tensors[key] = ReadStorage(file, storage, source);
            }
            return Materialise(specs, tensors, source);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    // Zip format: ('storage', storage_type, key, location, numel)
    private static object ZipStorage(object? pid, Dictionary<string, StorageRef> storages, string source)
    {
        if (pid is not object?[] { Length: 5 } t || t[0] as string != "storage" || t[1] is not RestrictedUnpickler.Global type || t[2] is not string key || t[4] is not long numel)
            throw new InvalidDataException($"{source}: persistent id {RestrictedUnpickler.Describe(pid)} is not a storage record.");
        return Register(storages, key, type, numel, 0, source);
    }

    // Legacy format: ('storage', storage_type, root_key, location, numel, view_metadata or None)
    private static object LegacyStorage(object? pid, Dictionary<string, StorageRef> storages, string source)
    {
        if (pid is not object?[] { Length: 6 } t || t[0] as string != "storage" || t[1] is not RestrictedUnpickler.Global type || t[2] is not string key || t[4] is not long numel)
            throw new InvalidDataException($"{source}: persistent id {RestrictedUnpickler.Describe(pid)} is not a storage record.");
        long viewOffset = 0;
        if (t[5] is object?[] { Length: 3 } view && view[1] is long offset) viewOffset = offset;
        else if (t[5] is not null) throw new InvalidDataException($"{source}: storage view {RestrictedUnpickler.Describe(t[5])} is not supported.");
        var root = Register(storages, key, type, numel, 0, source);
        return viewOffset == 0 ? root : root with { ViewOffset = viewOffset };
    }

    private static StorageRef Register(Dictionary<string, StorageRef> storages, string key, RestrictedUnpickler.Global type, long numel, long viewOffset, string source)
    {
        var (scalarType, size) = type.Name switch
        {
            "FloatStorage" => (ScalarType.Float32, 4),
            "DoubleStorage" => (ScalarType.Float64, 8),
            "HalfStorage" => (ScalarType.Float16, 2),
            "BFloat16Storage" => (ScalarType.BFloat16, 2),
            "LongStorage" => (ScalarType.Int64, 8),
            "IntStorage" => (ScalarType.Int32, 4),
            "ShortStorage" => (ScalarType.Int16, 2),
            "CharStorage" => (ScalarType.Int8, 1),
            "ByteStorage" => (ScalarType.Byte, 1),
            "BoolStorage" => (ScalarType.Bool, 1),
            _ => throw new InvalidDataException($"{source}: storage type '{type.FullName}' is not supported."),
        };
        if (numel < 0) throw new InvalidDataException($"{source}: storage '{key}' has a negative size {numel}.");
        if (storages.TryGetValue(key, out var existing))
        {
            if (existing.Type != scalarType || existing.Numel != numel) throw new InvalidDataException($"{source}: storage '{key}' is described twice, differently.");
            return existing;
        }
        var storage = new StorageRef(key, scalarType, size, numel, viewOffset);
        storages[key] = storage;
        return storage;
    }

    private static List<(string Key, Spec Spec)> StateDictSpecs(object? root, string source)
    {
        if (root is RestrictedUnpickler.PickleDict wrapper && wrapper.Get("state_dict") is RestrictedUnpickler.PickleDict inner) root = inner;
        if (root is not RestrictedUnpickler.PickleDict dict)
            throw new InvalidDataException($"{source}: the file holds {RestrictedUnpickler.Describe(root)}, not a state dict (a dict of name → tensor). Save model.state_dict(), not the model.");
        var specs = new List<(string, Spec)>();
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name) throw new InvalidDataException($"{source}: state-dict key {RestrictedUnpickler.Describe(key)} is not a string.");
            if (value is not Spec spec) throw new InvalidDataException($"{source}: state-dict entry '{name}' holds {RestrictedUnpickler.Describe(value)}, not a tensor.");
            specs.Add((name, spec));
        }
        return specs;
    }

    private static Tensor ReadStorage(Stream stream, StorageRef storage, string source)
    {
        var tensor = empty(new[] { storage.Numel }, storage.Type);
        try
        {
            stream.ReadExactly(tensor.bytes);
            return tensor;
        }
        catch (EndOfStreamException)
        {
            tensor.Dispose();
            throw new InvalidDataException($"{source}: storage '{storage.Key}' is truncated.");
        }
    }

    private static StateDict Materialise(List<(string Key, Spec Spec)> specs, Dictionary<string, Tensor> storages, string source)
    {
        var result = new StateDict();
        try
        {
            foreach (var (key, spec) in specs)
            {
                var storage = (StorageRef)spec.Storage;
                var data = storages.TryGetValue(storage.Key, out var d) ? d
                    : throw new InvalidDataException($"{source}: the bytes of storage '{storage.Key}' (for '{key}') are missing.");
                if (spec.Size.Length != spec.Stride.Length) throw new InvalidDataException($"{source}: '{key}' has {spec.Size.Length} sizes but {spec.Stride.Length} strides.");
                long offset = storage.ViewOffset + spec.Offset, last = offset;
                for (int i = 0; i < spec.Size.Length; i++)
                {
                    if (spec.Size[i] < 0 || spec.Stride[i] < 0) throw new InvalidDataException($"{source}: '{key}' has a negative size or stride.");
                    if (spec.Size[i] > 0) last += (spec.Size[i] - 1) * spec.Stride[i];
                }
                bool isEmpty = spec.Size.Any(s => s == 0);
                if (offset < 0 || (!isEmpty && last >= storage.Numel))
                    throw new InvalidDataException($"{source}: '{key}' (shape [{string.Join(", ", spec.Size)}], offset {offset}) reads past the end of its storage of {storage.Numel} values.");
                using var scope = NewDisposeScope();
                var owned = empty(spec.Size, data.dtype);
                owned.copy_(data.as_strided(spec.Size, spec.Stride, offset));
                result.Add(key, owned.MoveToOuterDisposeScope(), source);
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }
}
