using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>Copies a state dict into a module after checking every key and shape first (all or nothing).</summary>
internal static class StateDictLoader
{
    private const int ListedKeys = 8;

    internal static void Apply(Module module, IReadOnlyDictionary<string, Tensor> source, string sourceName,
        Func<string, bool> isIgnored, string ignoredDescription, string? modelName = null)
    {
        var target = module.state_dict();
        string model = modelName ?? (module is PretrainedBackbone b ? b.Name : module.GetName());
        var missing = target.Keys.Where(k => !source.ContainsKey(k)).ToList();
        var unexpected = source.Keys.Where(k => !target.ContainsKey(k) && !isIgnored(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"{missing.Count} key(s) of the model missing from the file: {List(missing)}");
            if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected key(s) in the file: {List(unexpected)}");
            string note = string.IsNullOrEmpty(ignoredDescription) ? "" : $" ({ignoredDescription})";
            throw new WeightsMismatchException($"Weights '{sourceName}' do not fit {model}: {string.Join("; ", parts)}{note}.",
                missingKeys: missing, unexpectedKeys: unexpected);
        }

        foreach (var (key, tensor) in target)
        {
            var file = source[key];
            if (!file.shape.SequenceEqual(tensor.shape))
                throw new WeightsMismatchException(
                    $"Weights '{sourceName}' do not fit {model}: key '{key}' has shape [{string.Join(", ", tensor.shape)}] in the model but [{string.Join(", ", file.shape)}] in the file.",
                    key, tensor.shape, file.shape);
            bool targetFloat = IsFloating(tensor.dtype), fileFloat = IsFloating(file.dtype);
            if (targetFloat != fileFloat || (!targetFloat && tensor.dtype != file.dtype))
                throw new WeightsMismatchException(
                    $"Weights '{sourceName}' do not fit {model}: key '{key}' is {tensor.dtype} in the model but {file.dtype} in the file.", key, tensor.shape, file.shape);
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope(); // copy_ may hand back a fresh wrapper of its target; the scope releases it
        foreach (var (key, tensor) in target) tensor.copy_(source[key]);
    }

    private static bool IsFloating(ScalarType type) => type is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

    private static string List(List<string> keys) =>
        string.Join(", ", keys.Take(ListedKeys)) + (keys.Count > ListedKeys ? $", … ({keys.Count - ListedKeys} more)" : "");
}
