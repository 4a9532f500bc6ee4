using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/TransferLearning.Benchmarks -- --filter '*'
// (or a narrower filter such as '*Augmentation*'; see docs/performance.md for each benchmark's command)
//
// Benchmarks always run in this process: BenchmarkDotNet's generated out-of-process projects get neither the
// TorchSharp native backend nor the libLibTorchSharp fix of TransferLearning.targets, so TorchSharp cannot load there.
// Unless a job is chosen, the short job runs (3 iterations): most operations here take seconds, and `--inProcess`
// alone would add BenchmarkDotNet's default job (up to 100 iterations) beside the classes' own configs.
if (args.Length > 0 && args[0] == "interleaved-trainer")
{
    TransferLearning.Benchmarks.Training.InterleavedTrainerRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 9);
    return;
}

if (args.Length > 0 && args[0] == "backbone-forward")
{
    TransferLearning.Benchmarks.Backbones.BackboneForwardRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

if (args.Length > 1 && args[0] == "fashion-mnist")
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    TransferLearning.Benchmarks.Quality.FashionMnistSet.Build(args[1], Arg(2, 30000), Arg(3, 100), Arg(4, 50));
    return;
}

if (args.Length > 0 && args[0] == "loader-vs-reference")
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    TransferLearning.Benchmarks.Data.LoaderVersusReference.Run(Arg(1, 3), Arg(2, 3));
    return;
}

if (args.Length > 3 && args[0] == "loader-epochs")
{
    var inv = System.Globalization.CultureInfo.InvariantCulture;
    TransferLearning.Benchmarks.Data.LoaderVersusReference.RunLibraryEpochs(args[1], int.Parse(args[2], inv), int.Parse(args[3], inv),
        args.Length > 4 ? Enum.Parse<TransferLearning.Imaging.JpegDecoder>(args[4]) : TransferLearning.Imaging.JpegDecoder.Auto);
    return;
}

if (args.Length > 1 && args[0] == "recipe-trial")
{
    TransferLearning.Benchmarks.Quality.RecipeTrial.Run(args[1], args.Skip(2).ToArray());
    return;
}

var arguments = args.ToList();
if (!arguments.Any(a => a.Equals("--inProcess", StringComparison.OrdinalIgnoreCase) || a == "-i"))
    arguments.Add("--inProcess");
if (!arguments.Any(a => a is "--job" or "-j"))
    arguments.AddRange(new[] { "--job", "short" });
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments.ToArray());
