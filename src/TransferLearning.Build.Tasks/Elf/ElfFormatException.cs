using System;

namespace TransferLearning.Build.Tasks.Elf
{
    /// <summary>Thrown when a file is not a 64-bit little-endian ELF object this reader understands.</summary>
    public sealed class ElfFormatException : Exception
    {
        /// <summary>Creates the exception; <paramref name="message"/> names the file and the problem.</summary>
        public ElfFormatException(string message) : base(message) { }
    }
}
