namespace TransferLearning.Imaging;

/// <summary>
/// One reusable decode buffer per thread, so a loader worker decodes photo after photo into the same memory instead of
/// allocating (and the OS zeroing) a fresh bitmap each time. Buffers above <see cref="MaxKeptBytes"/> are not kept:
/// a thread that once decoded a huge image does not hold on to it.
/// </summary>
internal static class DecodeScratch
{
    /// <summary>Largest buffer kept per thread: 16 MiB, a 4-megapixel RGBA image.</summary>
    internal const long MaxKeptBytes = 16L << 20;

    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>A buffer of at least <paramref name="bytes"/> bytes (contents undefined); give it back with <see cref="Return"/>.</summary>
    public static byte[] Rent(long bytes)
    {
        if (bytes > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "A decoded image this large does not fit in one buffer.");
        var buffer = t_buffer;
        if (buffer is not null && buffer.Length >= bytes)
        {
            t_buffer = null; // a nested decode on this thread gets its own
            return buffer;
        }
        return GC.AllocateUninitializedArray<byte>((int)bytes);
    }

    /// <summary>Keeps <paramref name="buffer"/> for this thread's next decode unless it is larger than <see cref="MaxKeptBytes"/>.</summary>
    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= MaxKeptBytes && (t_buffer is null || t_buffer.Length < buffer.Length))
            t_buffer = buffer;
    }
}
