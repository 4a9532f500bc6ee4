using System;
using System.IO;

namespace TransferLearning.Build.Tasks.Elf
{
    /// <summary>
    /// Replaces a file's contents so that every reader sees either the old file or the new one, never a missing or
    /// half-written file: the new bytes go to a temporary file beside the original (same folder, so the same file
    /// system), which is then renamed over it. A build killed at any point leaves the original in place.
    /// </summary>
    internal static class AtomicFile
    {
        /// <summary>Writes <paramref name="contents"/> to <paramref name="path"/> atomically, keeping its permissions.</summary>
        /// <param name="path">An existing file.</param>
        /// <param name="contents">The new contents.</param>
        /// <param name="beforeCommit">Tests only: runs once the temporary file is complete, just before the rename.</param>
        public static void Replace(string path, byte[] contents, Action<string>? beforeCommit = null)
        {
            string temp = Path.Combine(
                Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".",
                "." + Path.GetFileName(path) + ".tl-" + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                File.Copy(path, temp); // the copy carries the original's permissions (the executable bit)
                using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
                {
                    stream.Write(contents, 0, contents.Length);
                    stream.SetLength(contents.Length);
                    stream.Flush(true);
                }
                beforeCommit?.Invoke(temp);
                // On Unix File.Replace is rename(2), which swaps the directory entry in one step; the original is
                // never deleted first. (netstandard2.0 has no File.Move overload that overwrites.)
                File.Replace(temp, path, destinationBackupFileName: null);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
    }
}
