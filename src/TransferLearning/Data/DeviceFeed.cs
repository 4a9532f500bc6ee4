using static TorchSharp.torch;

namespace TransferLearning.Data;

/// <summary>
/// Feeds a device one batch ahead: while the consumer works on batch n, the copy of batch n + 1 is already queued.
/// The host batches come from the loader's workers in page-locked memory, so the copies are non-blocking (they run on
/// the device's stream, ordered before any kernel that later reads the batch). Releasing a pinned host tensor right
/// after queuing its copy is safe: libtorch's pinned-memory allocator does not reuse the block before the copy ends.
/// Never run on a GPU in this project (no GPU on its machines); tests drive the same code with CPU copies.
/// </summary>
internal static class DeviceFeed
{
    /// <summary>The batches of <paramref name="host"/> copied to <paramref name="device"/>, the next copy issued before each batch is handed over.</summary>
    public static IEnumerable<ImageBatch> OneAhead(IEnumerable<ImageBatch> host, Device device, Func<ImageBatch, Device, ImageBatch> transfer)
    {
        ImageBatch? ready = null;
        try
        {
            foreach (var batch in host)
            {
                ImageBatch moved;
                using (batch)
                    moved = transfer(batch, device);
                if (ready is not null)
                {
                    var current = ready;
                    ready = moved;
                    yield return current;
                }
                else
                {
                    ready = moved;
                }
            }
            if (ready is not null)
            {
                var last = ready;
                ready = null;
                yield return last;
            }
        }
        finally
        {
            ready?.Dispose(); // copied but never handed over (the consumer stopped early)
        }
    }

    /// <summary>A non-blocking copy of the batch's tensors to <paramref name="device"/>; the source stays the caller's.</summary>
    public static ImageBatch CopyNonBlocking(ImageBatch batch, Device device)
    {
        Tensor? images = null;
        try
        {
            images = batch.Images.to(device, copy: true, non_blocking: true);
            var labels = batch.Labels.to(device, copy: true, non_blocking: true);
            var moved = new ImageBatch(images, labels, batch.Files);
            images = null;
            return moved;
        }
        finally
        {
            images?.Dispose();
        }
    }
}
