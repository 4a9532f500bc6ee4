using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using TransferLearning.Build.Tasks.Elf;

namespace TransferLearning.Build.Tasks
{
    /// <summary>
    /// After build and publish on Linux, lets TorchSharp's native shim load on a system whose libstdc++ is older
    /// than the one it was linked against: when the system libstdc++ does not define <see cref="Version"/>, the
    /// need for that one version is marked weak in the app's own copies of <c>libLibTorchSharp.so</c>.
    /// Does nothing on other operating systems, on newer systems, or on files already fixed; never writes under
    /// <see cref="ProtectedDirectories"/> (the NuGet package cache).
    /// </summary>
    public sealed class WeakenGlibcxxVersionNeed : Task
    {
        /// <summary>The app's copies of <c>libLibTorchSharp.so</c> (build or publish output).</summary>
        [Required]
        public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>The version need to weaken. Default: <c>GLIBCXX_3.4.32</c>.</summary>
        public string Version { get; set; } = "GLIBCXX_3.4.32";

        /// <summary>The system libstdc++ to check; default: found in the usual library folders.</summary>
        public string? SystemLibrary { get; set; }

        /// <summary>Folders never written to (semicolon-separated), such as the NuGet package cache.</summary>
        public string? ProtectedDirectories { get; set; }

        /// <summary>Skip the operating-system check (tests only).</summary>
        public bool IgnoreOperatingSystem { get; set; }

        /// <summary>The files that were changed.</summary>
        [Output]
        public ITaskItem[] PatchedFiles { get; private set; } = Array.Empty<ITaskItem>();

        /// <inheritdoc />
        public override bool Execute()
        {
            if (!IgnoreOperatingSystem && !RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return true;

            string? libstdcxx = string.IsNullOrEmpty(SystemLibrary) ? SystemLibraries.FindLibStdCxx() : SystemLibrary;
            if (libstdcxx == null || !File.Exists(libstdcxx))
            {
                Log.LogMessage(MessageImportance.Low, "TransferLearning: no system libstdc++.so.6 found; libLibTorchSharp.so left as it is.");
                return true;
            }

            try
            {
                var defined = ElfVersionNeeds.ReadVersionDefinitions(File.ReadAllBytes(libstdcxx), libstdcxx);
                if (defined.Contains(Version))
                {
                    Log.LogMessage(MessageImportance.Low, $"TransferLearning: {libstdcxx} defines {Version}; nothing to do.");
                    return true;
                }
            }
            catch (ElfFormatException e)
            {
                Log.LogWarning($"TransferLearning: could not read the version definitions of {libstdcxx}: {e.Message}");
                return true;
            }

            var protectedDirs = (ProtectedDirectories ?? string.Empty)
                .Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries)
                .Select(d => Path.GetFullPath(d.Trim()).TrimEnd('/') + "/")
                .ToArray();
            var patched = new List<ITaskItem>();
            foreach (var item in Files)
            {
                string path = Path.GetFullPath(item.ItemSpec);
                if (protectedDirs.Any(d => path.StartsWith(d, StringComparison.Ordinal)))
                {
                    Log.LogMessage(MessageImportance.Low, $"TransferLearning: {path} is in a shared folder; not changed.");
                    continue;
                }
                try
                {
                    if (ElfVersionNeeds.MarkWeak(path, Version)) patched.Add(item);
                }
                catch (Exception e) when (e is ElfFormatException || e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogWarning($"TransferLearning: could not mark {Version} weak in {path}: {e.Message}");
                }
            }

            PatchedFiles = patched.ToArray();
            if (patched.Count > 0)
            {
                Log.LogMessage(MessageImportance.High,
                    $"TransferLearning: {libstdcxx} lacks {Version}; marked that version need weak in " +
                    string.Join(", ", patched.Select(p => p.ItemSpec)) + " so TorchSharp loads on this system.");
            }
            return !Log.HasLoggedErrors;
        }
    }
}
