using System.Diagnostics;
using System.Globalization;

namespace TransferLearning.Benchmarks.Training;

/// <summary>
/// The head-phase epoch of <see cref="TrainerBenchmarks"/> measured interleaved in one process — hand loop, trainer,
/// trainer with ten extra callbacks, then again, round after round — so that machine-load drift hits all three alike
/// (BenchmarkDotNet measures one method after another). Prints every epoch, the first round apart from the rest, and
/// the medians and per-round ratios of the later rounds.
/// dotnet run -c Release --project tests/TransferLearning.Benchmarks -- interleaved-trainer [rounds]
/// </summary>
public static class InterleavedTrainerRun
{
    public static void Run(int rounds)
    {
        var bench = new TrainerBenchmarks();
        bench.Setup();
        try
        {
            var names = new[] { "HandLoop_Head", "Trainer_Head_Uncached", "Trainer_Head_TenCallbacks" };
            var actions = new Action[] { () => bench.HandLoop_Head(), () => bench.Trainer_Head_Uncached(), () => bench.Trainer_Head_TenCallbacks() };
            var seconds = names.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round < rounds; round++)
            {
                for (var m = 0; m < actions.Length; m++)
                {
                    var watch = Stopwatch.StartNew();
                    actions[m]();
                    seconds[m].Add(watch.Elapsed.TotalSeconds);
                }
                Console.WriteLine($"round {round + 1}: " + string.Join("  ", names.Select((n, m) => $"{n} {F(seconds[m][round])} s")));
            }

            Console.WriteLine();
            Console.WriteLine("| Method | first epoch | median of later epochs | median ratio to hand loop (later, per round) |");
            Console.WriteLine("|---|---:|---:|---:|");
            for (var m = 0; m < names.Length; m++)
            {
                var later = seconds[m].Skip(1).ToList();
                var ratios = later.Select((s, i) => s / seconds[0][i + 1]).ToList();
                Console.WriteLine($"| {names[m]} | {F(seconds[m][0])} s | {F(Median(later))} s | {Median(ratios):F3} |");
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
