namespace TransferLearning;

/// <summary>Derives independent, process-stable seeds from a seed and indices (SplitMix64; unlike HashCode it is not randomised per process).</summary>
/// <remarks>The one seed mixer of the library: the loader's shuffles and augmentation, the trainer's torch seeds and
/// in-memory shuffles all derive from it, so a seed means the same thing everywhere.</remarks>
internal static class Seeds
{
    /// <summary>Mixes <paramref name="seed"/> with <paramref name="parts"/> (epoch, batch, phase …) into a new seed.</summary>
    public static int Mix(int seed, params long[] parts)
    {
        ulong h = Step((ulong)(uint)seed);
        foreach (var p in parts)
            h = Step(h ^ (ulong)p);
        return (int)(h ^ (h >> 32));
    }

    private static ulong Step(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
