namespace TransferLearning.Backbones;

/// <summary>The formats a weights file can be read from.</summary>
public enum WeightsFormat
{
    /// <summary>Recognised from the file's first bytes: a zip or the legacy pickle magic → <see cref="PyTorch"/>, an 8-byte length and a JSON header → <see cref="SafeTensors"/>, otherwise <see cref="TorchSharp"/>.</summary>
    Auto,

    /// <summary>
    /// A <c>torch.save</c>d state dict (<c>.pth</c>, <c>.pt</c>): the zip format of PyTorch 1.6 and later or the legacy format of
    /// older files such as torchvision's published weights. Read by a restricted unpickler that only builds tensors.
    /// </summary>
    PyTorch,

    /// <summary>A safetensors file (<c>.safetensors</c>): a JSON header and raw little-endian tensors.</summary>
    SafeTensors,

    /// <summary>TorchSharp's own format, written by <c>Module.save</c>.</summary>
    TorchSharp,
}
