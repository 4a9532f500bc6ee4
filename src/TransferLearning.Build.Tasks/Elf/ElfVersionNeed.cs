namespace TransferLearning.Build.Tasks.Elf
{
    /// <summary>
    /// One <c>Elf64_Vernaux</c> entry of <c>.gnu.version_r</c>: a symbol version that the object needs from a
    /// shared library (for example <c>GLIBCXX_3.4.32</c> from <c>libstdc++.so.6</c>).
    /// </summary>
    public sealed class ElfVersionNeed
    {
        /// <summary>Creates an entry.</summary>
        public ElfVersionNeed(string library, string version, ushort flags, long flagsOffset)
        {
            Library = library;
            Version = version;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        /// <summary>The <c>DT_NEEDED</c> library the version comes from (<c>vn_file</c>).</summary>
        public string Library { get; }

        /// <summary>The version name (<c>vna_name</c>).</summary>
        public string Version { get; }

        /// <summary>The entry's flags (<c>vna_flags</c>); <see cref="ElfVersionNeeds.WeakFlag"/> marks a weak need.</summary>
        public ushort Flags { get; }

        /// <summary>Byte offset of <c>vna_flags</c> in the file.</summary>
        public long FlagsOffset { get; }

        /// <summary>Whether the loader accepts the library without this version (<c>VER_FLG_WEAK</c> set).</summary>
        public bool IsWeak => (Flags & ElfVersionNeeds.WeakFlag) != 0;
    }
}
