using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/TransferLearning.Benchmarks -- --filter '*'
// (or a narrower filter such as '*Augmentation*'; see docs/performance.md for each benchmark's command)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
