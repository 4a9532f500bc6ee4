namespace TransferLearning.Native;

/// <summary>
/// TorchSharp's native library could not be loaded. The message says what is missing (a backend package or a
/// recent enough system library) and how to fix it; <see cref="Exception.InnerException"/> keeps TorchSharp's own error.
/// </summary>
public sealed class TorchNativeLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is missing and how to fix it.</param>
    /// <param name="innerException">TorchSharp's or the loader's original error.</param>
    public TorchNativeLoadException(string message, Exception? innerException) : base(message, innerException) { }
}
