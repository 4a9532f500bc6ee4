using System.IO;
using System.Linq;

namespace TransferLearning.Build.Tasks
{
    /// <summary>Finds the system's shared libraries the way the dynamic loader's default search would.</summary>
    internal static class SystemLibraries
    {
        private static readonly string[] LibStdCxxCandidates =
        {
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
            "/lib/libstdc++.so.6",
        };

        /// <summary>The path of the system <c>libstdc++.so.6</c>, symbolic links resolved by the reader; null when none.</summary>
        public static string? FindLibStdCxx() => LibStdCxxCandidates.FirstOrDefault(File.Exists);
    }
}
