using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using TorchSharp.Modules;
using TransferLearning.Backbones;
using TransferLearning.Data;
using TransferLearning.Training;
using static TorchSharp.torch;

namespace TransferLearning.Benchmarks.Training;

/// <summary>
/// One epoch of 128 images (4 batches of 32, 64×64) through VGG16 features + GAP + Linear(6): the trainer against a
/// hand-written TorchSharp loop on the same model and batches. Head phase uncached, cached (11 epochs, the first of
/// which builds the cache, vs 1 epoch: the difference / 10 is one cached epoch), and full fine-tuning.
/// dotnet run -c Release --project tests/TransferLearning.Benchmarks -- --filter '*TrainerBenchmarks*'
/// </summary>
[Config(typeof(InProcessMonitoringConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[Orderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared, BenchmarkDotNet.Order.MethodOrderPolicy.Declared)]
public class TrainerBenchmarks
{
    private const int Images = 128, BatchSize = 32, Size = 64, Classes = 6;
    private static readonly string[] ClassNames = Enumerable.Range(0, Classes).Select(i => $"class{i}").ToArray();

    private PretrainedBackbone _backbone = null!;
    private TensorBatchSource _source = null!;
    private (Tensor Images, Tensor Labels)[] _batches = null!;
    private Linear _handHead = null!;
    private TransferTrainer _uncached = null!, _cached1 = null!, _cached11 = null!, _fineTune = null!, _tenCallbacks = null!;

    [GlobalSetup]
    public void Setup()
    {
        random.manual_seed(1);
        var vgg = new Vgg16Features();
        _backbone = new PretrainedBackbone("vgg16", vgg, ImagePreprocessing.ImageNet(), 512, new[] { new LayerGroup("features", new nn.Module[] { vgg }) });
        using var images = rand(Images, 3, Size, Size) * 255;
        using var labels = randint(0, Classes, new long[] { Images });
        _source = new TensorBatchSource(images, labels, ClassNames, BatchSize);
        _batches = Enumerable.Range(0, Images / BatchSize)
            .Select(b => (images.narrow(0, b * BatchSize, BatchSize).clone().DetachFromDisposeScope(), labels.narrow(0, b * BatchSize, BatchSize).clone().DetachFromDisposeScope()))
            .ToArray();
        _handHead = nn.Linear(512, Classes);
        var none = PhaseOptions.KerasHead with { Epochs = 0 };
        TransferTrainer Trainer(PhaseOptions head, PhaseOptions fine, FeatureCaching caching, int extraCallbacks = 0) =>
            new(_backbone, ClassNames, new TransferTrainerOptions
            {
                HeadPhase = head, FineTunePhase = fine, FeatureCaching = caching, Device = CPU,
                Callbacks = Enumerable.Range(0, extraCallbacks).Select(_ => new CountingCallback()).ToArray(),
            });
        _uncached = Trainer(PhaseOptions.KerasHead with { Epochs = 1 }, none, FeatureCaching.Off);
        _cached1 = Trainer(PhaseOptions.KerasHead with { Epochs = 1 }, none, FeatureCaching.On);
        _cached11 = Trainer(PhaseOptions.KerasHead with { Epochs = 11 }, none, FeatureCaching.On);
        _fineTune = Trainer(none, PhaseOptions.KerasFineTune with { Epochs = 1 }, FeatureCaching.Off);
        _tenCallbacks = Trainer(PhaseOptions.KerasHead with { Epochs = 1 }, none, FeatureCaching.Off, extraCallbacks: 10);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Per-epoch wall time of the last cached 11-epoch run (epoch 1 builds the cache), for docs/performance.md.
        if (_cached11.History.Epochs.Count > 0)
            Console.WriteLine("// cached-epoch seconds: " + string.Join(" ", _cached11.History.Epochs.Select(e => e.Seconds.ToString("F4", System.Globalization.CultureInfo.InvariantCulture))));
        if (_uncached.History.Epochs.Count > 0)
            Console.WriteLine("// uncached-epoch seconds: " + _uncached.History.Epochs[0].Seconds.ToString("F4", System.Globalization.CultureInfo.InvariantCulture));
        foreach (var t in new[] { _uncached, _cached1, _cached11, _fineTune, _tenCallbacks }) t.Dispose();
        foreach (var (i, l) in _batches) { i.Dispose(); l.Dispose(); }
        _handHead.Dispose();
        _source.Dispose();
        _backbone.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Head")]
    public double HandLoop_Head()
    {
        _backbone.Freeze();
        _backbone.eval();
        _handHead.train();
        using var optimizer = optim.Adam(_handHead.parameters(), lr: 1e-3);
        double sum = 0;
        foreach (var (images, labels) in _batches)
        {
            using var scope = NewDisposeScope();
            Tensor features;
            using (no_grad()) features = _backbone.forward(images);
            var loss = nn.functional.cross_entropy(_handHead.forward(features), labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            sum += loss.item<float>();
        }
        return sum;
    }

    [Benchmark, BenchmarkCategory("Head")]
    public TrainingHistory Trainer_Head_Uncached() => _uncached.Fit(_source);

    /// <summary>The uncached head epoch with ten more callbacks that handle every event: the cost of dispatch.</summary>
    [Benchmark, BenchmarkCategory("Head")]
    public TrainingHistory Trainer_Head_TenCallbacks() => _tenCallbacks.Fit(_source);

    [Benchmark, BenchmarkCategory("Head")]
    public TrainingHistory Trainer_Head_Cached_1Epoch() => _cached1.Fit(_source);

    [Benchmark, BenchmarkCategory("Head")]
    public TrainingHistory Trainer_Head_Cached_11Epochs() => _cached11.Fit(_source);

    [Benchmark(Baseline = true), BenchmarkCategory("FineTune")]
    public double HandLoop_FineTune() => HandFineTuneEpoch();

    private double HandFineTuneEpoch()
    {
        _backbone.Unfreeze();
        _backbone.train();
        _handHead.train();
        using var optimizer = optim.RMSProp(_backbone.parameters().Concat(_handHead.parameters()), lr: 1e-5);
        double sum = 0;
        foreach (var (images, labels) in _batches)
        {
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(_handHead.forward(_backbone.forward(images)), labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            sum += loss.item<float>();
        }
        return sum;
    }

    [Benchmark, BenchmarkCategory("FineTune")]
    public TrainingHistory Trainer_FineTune() => _fineTune.Fit(_source);

    /// <summary>The same hand loop measured after the trainer: a control for effects of running first in the process.</summary>
    [Benchmark, BenchmarkCategory("FineTune")]
    public double HandLoop_FineTune_AfterTrainer() => HandFineTuneEpoch();
}

/// <summary>Handles every event and reads what each exposes, so dispatch is not optimised away.</summary>
internal sealed class CountingCallback : TransferLearning.Training.Callbacks.ITrainingCallback
{
    public long Events;
    public void OnBatchBegin(TransferLearning.Training.Callbacks.TrainingContext context) => Events++;
    public void OnBatchEnd(TransferLearning.Training.Callbacks.TrainingContext context) => Events += context.Step >= 0 ? 1 : 0;
    public void OnEpochBegin(TransferLearning.Training.Callbacks.TrainingContext context) => Events++;
    public void OnEpochEnd(TransferLearning.Training.Callbacks.TrainingContext context) => Events++;
}

/// <summary>
/// In-process (the generated benchmark project would lack the TorchSharp native backend), one launch, one warm-up and
/// four measured invocations of a whole epoch each: an epoch takes seconds, so no pilot stage or unrolling.
/// </summary>
public sealed class InProcessMonitoringConfig : ManualConfig
{
    public InProcessMonitoringConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessNoEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(4).WithId("InProcess-Monitoring"));
    }
}
