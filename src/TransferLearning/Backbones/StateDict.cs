using System.Collections;
using static TorchSharp.torch;

namespace TransferLearning.Backbones;

/// <summary>
/// Tensors by state-dict key, read from a weights file by <see cref="WeightsFile.Read"/>, in the file's order.
/// Owns its tensors: dispose it when done.
/// </summary>
public sealed class StateDict : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly List<KeyValuePair<string, Tensor>> _entries = new();
    private readonly Dictionary<string, Tensor> _byKey = new(StringComparer.Ordinal);

    internal StateDict() { }

    internal void Add(string key, Tensor tensor, string source)
    {
        if (!_byKey.TryAdd(key, tensor))
        {
            tensor.Dispose();
            throw new InvalidDataException($"{source}: key '{key}' appears twice.");
        }
        _entries.Add(new(key, tensor));
    }

    /// <inheritdoc />
    public Tensor this[string key] => _byKey[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    /// <inheritdoc />
    public IEnumerable<Tensor> Values => _entries.Select(e => e.Value);

    /// <inheritdoc />
    public int Count => _entries.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _byKey.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor value) => _byKey.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        foreach (var entry in _entries) entry.Value.Dispose();
        _entries.Clear();
        _byKey.Clear();
    }
}
