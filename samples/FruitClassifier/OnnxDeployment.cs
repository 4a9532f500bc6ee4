using Spectre.Console;
using TransferLearning.Export;
using TransferLearning.Training;

namespace FruitClassifier;

/// <summary>The deploy step: the trained model as ONNX beside the .tlmodel, and the command that serves it without TorchSharp.</summary>
internal static class OnnxDeployment
{
    /// <summary>
    /// Writes <c>fruit-classifier.onnx</c> next to <paramref name="modelPath"/> and prints the OnnxPredict command for
    /// <paramref name="example"/>; returns <c>null</c> (and says why) when the model holds something the exporter cannot write
    /// (a user's own backbone module, Flatten pooling), since the trained .tlmodel is already saved by then.
    /// </summary>
    public static string? Export(TransferTrainer trainer, string modelPath, string example)
    {
        string onnx = Path.ChangeExtension(modelPath, ".onnx");
        try
        {
            trainer.ExportOnnx(onnx);
        }
        catch (OnnxExportException e)
        {
            AnsiConsole.MarkupLine($"[yellow]No ONNX model written: {Markup.Escape(e.Message)}[/] The trained model is saved as {Markup.Escape(modelPath)}.");
            return null;
        }
        AnsiConsole.MarkupLine($"ONNX model (for ONNX Runtime, no TorchSharp needed): {Markup.Escape(onnx)}");
        AnsiConsole.MarkupLine("Classify images with it:");
        AnsiConsole.MarkupLine($"  [bold]dotnet run --project samples/OnnxPredict -- --model {Markup.Escape(Quote(onnx))} {Markup.Escape(Quote(example))}[/]");
        return onnx;
    }

    private static string Quote(string path) => path.Contains(' ') ? $"\"{path}\"" : path;
}
