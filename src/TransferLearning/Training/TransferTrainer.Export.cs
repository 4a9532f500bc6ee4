using TransferLearning.Export;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    /// <summary>
    /// Writes the whole model as one ONNX graph: the backbone's preprocessing, the backbone with its current (fine-tuned)
    /// weights, the pooling, the head (<c>logits</c>) and, by default, their softmax (<c>probabilities</c>). The input is
    /// float32 N×3×H×W RGB with values 0..255 at the <see cref="InputContract"/>'s size, N dynamic; the file's
    /// <c>metadata_props</c> carry the class names and the decode contract as JSON (<see cref="OnnxModelMetadata"/>), so a
    /// consumer decodes images as training did. The file is written to a temporary name and renamed over
    /// <paramref name="path"/>. docs/deployment.md shows how to run it with ONNX Runtime, without TorchSharp.
    /// Every built-in backbone (VGG16, ResNet, EfficientNet, MobileNetV3, ConvNeXt) and imported ONNX backbones can be written,
    /// in inference semantics (batch norms with their running statistics; dropout and stochastic depth left out).
    /// </summary>
    /// <param name="path">The .onnx file to write; its folder is created when missing; an existing file is replaced.</param>
    /// <param name="options">Opset (13–17, default 17), output and input names; <c>null</c> for the defaults. Copied.</param>
    /// <returns>The metadata written into the file.</returns>
    /// <exception cref="InvalidOperationException">The input size is unknown (not set, never trained, not in the loaded file).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The opset is outside 13–17.</exception>
    /// <exception cref="OnnxExportException">The backbone holds a module the exporter cannot write; the message names it.</exception>
    public OnnxModelMetadata ExportOnnx(string path, OnnxExportOptions? options = null)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var contract = InputContract ?? throw new InvalidOperationException(
            "The model's input size is unknown, so the ONNX graph's input shape is too: set TransferTrainerOptions.InputSize or Decode, train first, or load a saved model.");
        return OnnxModelExporter.Export(_backbone, _head, _classNames, contract, path, options ?? new OnnxExportOptions());
    }
}
