using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>Validation shared by the augmentations: a float32 N×C×H×W batch with 1 or 3 channels.</summary>
internal static class BatchGuard
{
    public static void Check(Tensor batch, string paramName)
    {
        ArgumentNullException.ThrowIfNull(batch, paramName);
        if (batch.dim() != 4)
            throw new ArgumentException($"Expected a 4-D N×C×H×W batch; got rank {batch.dim()}, shape [{string.Join(", ", batch.shape)}].", paramName);
        if (batch.dtype != ScalarType.Float32)
            throw new ArgumentException($"Expected a float32 batch with values 0..255; got dtype {batch.dtype}.", paramName);
        long channels = batch.shape[1];
        if (channels != 1 && channels != 3)
            throw new ArgumentException($"Expected 1 or 3 channels (N×C×H×W); got {channels} channels, shape [{string.Join(", ", batch.shape)}].", paramName);
        if (batch.shape[2] < 1 || batch.shape[3] < 1)
            throw new ArgumentException($"The batch has an empty image size: shape [{string.Join(", ", batch.shape)}].", paramName);
    }

    public static void CheckCount<T>(IReadOnlyList<T> parameters, Tensor batch, string paramName)
    {
        ArgumentNullException.ThrowIfNull(parameters, paramName);
        if (parameters.Count != batch.shape[0])
            throw new ArgumentException($"Expected one parameter per image ({batch.shape[0]}); got {parameters.Count}.", paramName);
    }

    public static double Finite(double value, string paramName)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be finite; got {value}.");
        return value;
    }

    public static double NonNegative(double value, string paramName)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a finite value >= 0; got {value}.");
        return value;
    }

    public static void Range(double lower, double upper, string lowerName, string upperName)
    {
        Finite(lower, lowerName);
        Finite(upper, upperName);
        if (lower > upper)
            throw new ArgumentException($"{lowerName} ({lower}) must not exceed {upperName} ({upper}).", lowerName);
    }

    public static double Uniform(Random random, double lower, double upper) =>
        lower == upper ? lower : lower + (upper - lower) * random.NextDouble();
}
