namespace TransferLearning.Export;

/// <summary>A model cannot be written as ONNX: a module or an imported op has no ONNX form in the exporter. The message names it.</summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What cannot be exported, and where.</param>
    public OnnxExportException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    /// <param name="message">What cannot be exported, and where.</param>
    /// <param name="innerException">The cause.</param>
    public OnnxExportException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
