using System.Text.Json;
using TorchSharp.Modules;
using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// Checks shared by the EfficientNet and MobileNetV3 structure tests: a backbone's state dict against torchvision's key list
/// (shared/fixtures/onnx-torchvision/keys, written by its torchvision_keys.py), and its layer groups against its parameters.
/// </summary>
internal static class TorchVisionLayout
{
    /// <summary>torchvision's state-dict entries of an architecture, less <c>classifier.*</c>, and its whole parameter count.</summary>
    public static (List<(string Key, long[] Shape, string DType)> Entries, long Parameters) Read(string architecture)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path("onnx-torchvision", "keys", $"{architecture}.json")));
        Assert.Equal(architecture, json.RootElement.GetProperty("architecture").GetString());
        var entries = json.RootElement.GetProperty("state_dict").EnumerateArray()
            .Select(e => (Key: e.GetProperty("key").GetString()!, Shape: e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                          DType: e.GetProperty("dtype").GetString()!))
            .Where(e => !e.Key.StartsWith("classifier.", StringComparison.Ordinal))
            .ToList();
        return (entries, json.RootElement.GetProperty("parameters").GetInt64());
    }

    /// <summary>The backbone's state dict has exactly torchvision's keys, shapes and dtypes; its parameters come in torchvision's order.</summary>
    public static void AssertSameEntries(PretrainedBackbone backbone, List<(string Key, long[] Shape, string DType)> expected)
    {
        var actual = backbone.state_dict().ToDictionary(kv => kv.Key, kv => (Shape: kv.Value.shape,
            DType: kv.Value.dtype switch { ScalarType.Int64 => "int64", ScalarType.Float32 => "float32", var t => t.ToString() }));
        var missing = expected.Select(e => e.Key).Except(actual.Keys).ToList();
        var extra = actual.Keys.Except(expected.Select(e => e.Key)).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"missing {missing.Count} (first: {string.Join(", ", missing.Take(5))}), unexpected {extra.Count} (first: {string.Join(", ", extra.Take(5))})");
        foreach (var (key, shape, dtype) in expected)
        {
            Assert.True(shape.SequenceEqual(actual[key].Shape), $"{key}: torchvision [{string.Join(", ", shape)}], native [{string.Join(", ", actual[key].Shape)}]");
            Assert.Equal(dtype, actual[key].DType);
        }
        // Parameters alone come in torchvision's order (module by module, as registered); TorchSharp lists buffers after them.
        Assert.Equal(expected.Where(e => !e.Key.EndsWith("running_mean") && !e.Key.EndsWith("running_var") && !e.Key.EndsWith("num_batches_tracked")).Select(e => e.Key),
            backbone.named_parameters().Select(p => p.name));
    }

    /// <summary>Each parameter of the backbone is in exactly one layer group; returns the groups' parameter names.</summary>
    public static List<List<string>> AssertGroupsPartitionParameters(PretrainedBackbone backbone)
    {
        var names = backbone.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        var groups = backbone.LayerGroups.Select(g => g.Parameters().Select(p => names[p.Handle]).ToList()).ToList();
        var all = groups.SelectMany(g => g).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(names.Values.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.All(groups, g => Assert.NotEmpty(g));
        return groups;
    }

    /// <summary>After <c>Unfreeze(n)</c> and <c>train()</c>, exactly the last n groups' parameters require gradients and their batch norms train.</summary>
    public static void AssertUnfreezingTrainsTheLastGroups(PretrainedBackbone backbone, int lastGroups)
    {
        var groups = AssertGroupsPartitionParameters(backbone);
        backbone.Freeze();
        Assert.Equal(0, backbone.TrainableParameterCount);
        backbone.Unfreeze(lastGroups);
        backbone.train();
        var trainable = groups.Skip(groups.Count - lastGroups).SelectMany(g => g).ToHashSet();
        foreach (var (name, parameter) in backbone.named_parameters())
            Assert.True(parameter.requires_grad == trainable.Contains(name), $"{name}: requires_grad {parameter.requires_grad}");
        Assert.Equal(backbone.LayerGroups.Skip(groups.Count - lastGroups).Sum(g => g.Parameters().Sum(p => p.numel())), backbone.TrainableParameterCount);
        foreach (var (name, module) in backbone.named_modules().Where(m => m.module is BatchNorm2d))
            Assert.True(module.training == trainable.Contains(name + ".weight"), $"{name}: training {module.training}");
        backbone.Unfreeze();
        Assert.Equal(backbone.ParameterCount, backbone.TrainableParameterCount);
    }
}
