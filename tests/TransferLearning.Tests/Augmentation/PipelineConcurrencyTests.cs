using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

/// <summary>One pipeline applied from two threads at once gives what sequential calls with the same seeds give.</summary>
public sealed class PipelineConcurrencyTests
{
    [Fact]
    public void Applying_one_pipeline_from_two_threads_matches_sequential_results()
    {
        var pipeline = new KerasImageDataGenerator
        {
            RotationRange = 180, ZoomRange = 0.1, WidthShiftRange = 0.1, HeightShiftRange = 0.1,
            HorizontalFlip = true, VerticalFlip = true, SamplewiseCenter = true,
        }.ToPipeline();
        using var image = SampleImage.Draw(40, 32);
        using var batch = stack(Enumerable.Repeat(image, 4).ToArray()).contiguous();
        const int Runs = 12;
        var sequential = new float[Runs][];
        for (int s = 0; s < Runs; s++)
        {
            using var result = pipeline.Apply(batch, new Random(s));
            sequential[s] = result.data<float>().ToArray();
        }
        var concurrent = new float[Runs][];
        using var start = new Barrier(2);
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int s = t; s < Runs; s += 2)
            {
                using var result = pipeline.Apply(batch, new Random(s));
                concurrent[s] = result.data<float>().ToArray();
            }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        for (int s = 0; s < Runs; s++)
            Assert.Equal(sequential[s], concurrent[s]);
    }
}
