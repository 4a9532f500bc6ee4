using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace TransferLearning.Tests.Export;

/// <summary>Runs an exported file in ONNX Runtime and compares outputs with the TorchSharp model.</summary>
internal static class OrtRunner
{
    /// <summary>Runs the model on a CPU N×3×H×W float tensor; returns every output by name as (shape, data).</summary>
    public static Dictionary<string, (long[] Shape, float[] Data)> Run(string path, Tensor images, string inputName = "images")
    {
        using var session = new InferenceSession(path);
        var data = images.contiguous().data<float>().ToArray();
        var input = new DenseTensor<float>(data, images.shape.Select(d => (int)d).ToArray());
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(inputName, input) });
        return results.ToDictionary(r => r.Name, r =>
        {
            var t = r.AsTensor<float>();
            return (t.Dimensions.ToArray().Select(d => (long)d).ToArray(), t.ToArray());
        });
    }

    /// <summary>Max |actual − expected| divided by max |expected|.</summary>
    public static double RelativeMaxDiff(IReadOnlyList<float> actual, IReadOnlyList<float> expected)
    {
        Assert.Equal(expected.Count, actual.Count);
        double scale = expected.Max(v => Math.Abs((double)v));
        double diff = actual.Zip(expected, (a, b) => Math.Abs((double)a - b)).Max();
        return diff / Math.Max(scale, 1e-12);
    }

    /// <summary>Asserts ORT's logits (and probabilities, when present) equal <paramref name="expected"/> within 1e-4 relative.</summary>
    public static void AssertMatches(Dictionary<string, (long[] Shape, float[] Data)> outputs, IReadOnlyList<TransferLearning.Training.Prediction> expected, int classes)
    {
        var logits = outputs["logits"];
        Assert.Equal(new long[] { expected.Count, classes }, logits.Shape);
        double diff = RelativeMaxDiff(logits.Data, expected.SelectMany(p => p.Logits).ToArray());
        Assert.True(diff <= 1e-4, $"logits differ by {diff:E3} relative to their scale.");
        if (outputs.TryGetValue("probabilities", out var probabilities))
        {
            double pd = probabilities.Data.Zip(expected.SelectMany(p => p.Probabilities), (a, b) => Math.Abs((double)a - b)).Max();
            Assert.True(pd <= 1e-4, $"probabilities differ by {pd:E3}.");
        }
    }
}
