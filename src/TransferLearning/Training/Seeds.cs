namespace TransferLearning.Training;

/// <summary>Derives independent, reproducible seeds from a base seed and indices (no <c>HashCode</c>: it is randomised per process).</summary>
internal static class Seeds
{
    /// <summary>Mixes the values with SplitMix64 steps into a non-negative 31-bit seed.</summary>
    public static int Combine(int seed, int a, int b = 0)
    {
        ulong x = (ulong)(uint)seed;
        x = Mix(x ^ ((ulong)(uint)a << 32 | 0x9E37));
        x = Mix(x ^ (ulong)(uint)b);
        return (int)(x & 0x7FFFFFFF);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
