namespace TransferLearning.Native;

/// <summary>
/// A device was asked for that this process cannot use: CUDA with TorchSharp's CPU-only backend, CUDA without a visible
/// NVIDIA GPU, or a CUDA index past the last GPU. The message names the backend package to reference and the fix.
/// </summary>
public sealed class TorchDeviceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was asked for, why it cannot be used and how to fix it.</param>
    /// <param name="requestedDevice">The device as asked for, for example <c>cuda</c> or <c>cuda:1</c>.</param>
    /// <param name="backendHasCuda">Whether the app's TorchSharp backend has CUDA support (a TorchSharp-cuda-* package).</param>
    public TorchDeviceUnavailableException(string message, string requestedDevice, bool backendHasCuda) : base(message)
    {
        RequestedDevice = requestedDevice;
        BackendHasCuda = backendHasCuda;
    }

    /// <summary>The device as asked for, for example <c>cuda</c> or <c>cuda:1</c>.</summary>
    public string RequestedDevice { get; }

    /// <summary>Whether the app's TorchSharp backend has CUDA support; <c>false</c> means the app references TorchSharp-cpu.</summary>
    public bool BackendHasCuda { get; }
}
