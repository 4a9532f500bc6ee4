using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/TransferLearning.Benchmarks -- --filter '*'
// (or a narrower filter such as '*Augmentation*'; see docs/performance.md for each benchmark's command)
//
// Benchmarks always run in this process: BenchmarkDotNet's generated out-of-process projects get neither the
// TorchSharp native backend nor the libLibTorchSharp fix of TransferLearning.targets, so TorchSharp cannot load there.
string[] arguments = args.Any(a => a.Equals("--inProcess", StringComparison.OrdinalIgnoreCase) || a == "-i")
    ? args
    : args.Append("--inProcess").ToArray();
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments);
