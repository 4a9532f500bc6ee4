using TransferLearning.Augmentation;

namespace TransferLearning.Data;

/// <summary>Options of a training loader (<see cref="ImageBatchLoader.ForTraining"/>): shuffling, augmentation and their seeds.</summary>
public sealed class TrainingLoaderOptions : ImageBatchLoaderOptions
{
    /// <summary>Whether the sample order is reshuffled every epoch. Default: <c>true</c>.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>
    /// Seed of the shuffle; epoch e uses an order derived from (seed, e), so the same seed gives the same order in
    /// every run. Default: <c>null</c> = a random seed chosen when the loader is created (read it back from
    /// <see cref="ImageBatchLoader.ShuffleSeed"/> to reproduce a run).
    /// </summary>
    public int? ShuffleSeed { get; set; }

    /// <summary>
    /// Applied to every batch on the worker threads (its <c>Apply</c> must be safe to call from several threads at
    /// once; the built-ins are). Default: <c>null</c> (none).
    /// </summary>
    public IAugmentation? Augmentation { get; set; }

    /// <summary>
    /// Seed of the augmentation, separate from the shuffle: batch b of epoch e draws from a <see cref="Random"/> seeded
    /// from (seed, e, b), so results do not depend on thread timing. Default: <c>null</c> = random, chosen when the loader
    /// is created (see <see cref="ImageBatchLoader.AugmentationSeed"/>).
    /// </summary>
    public int? AugmentationSeed { get; set; }

    /// <summary>
    /// Whether the leading geometric steps of an <see cref="AugmentationPipeline"/> (rotation, shift, shear, zoom, flips)
    /// are folded into the decode on the worker threads, whatever device the batches go to: EXIF orientation + crop +
    /// resize + augmentation in one pass over the decoded pixels instead of a resize into the batch followed by a second
    /// resample of the batch. The same seed draws the same parameters as the tensor path and the fill mode applies at
    /// the same edges (those of the resized image). Per decode interpolation: bilinear composes the two maps into one
    /// bilinear sample (pixels differ from the tensor path only by resampling once instead of twice, the closer to an
    /// ideal rendering: docs/data.md); nearest (the default) samples the augmentation over the nearest resize's grid
    /// of decoded pixels, which is what the two resamples in turn give, in one pass; bicubic and area resize on the
    /// worker, then resample that. Used when the fused steps resample bilinearly; with
    /// <see cref="Imaging.ColorMode.Rgba"/> output (which may keep transparency and is then drawn by SkiaSharp) only
    /// for bilinear decodes, the nearest and reflect fill modes and without
    /// <see cref="Imaging.ImageDecodeOptions.KeepAspectRatio"/>. Otherwise the augmentation runs on the batch tensor
    /// (<see cref="ImageBatchLoader.FusesGeometricIntoDecode"/> says which).
    /// Default: <c>true</c>.
    /// </summary>
    public bool FuseGeometricIntoDecode { get; set; } = true;

    /// <summary>Whether a last, smaller batch is dropped (then batches per epoch = floor(n / batch size)). Default: <c>false</c>.</summary>
    public bool DropLast { get; set; }

    /// <summary>A copy of these options (the decode options are copied; the augmentation and logger are shared).</summary>
    public TrainingLoaderOptions Clone()
    {
        var copy = (TrainingLoaderOptions)MemberwiseClone();
        CopyTo(copy);
        return copy;
    }
}
