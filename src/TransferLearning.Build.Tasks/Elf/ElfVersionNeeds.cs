using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace TransferLearning.Build.Tasks.Elf
{
    /// <summary>
    /// Reads the symbol-version tables of a 64-bit little-endian ELF shared object and marks one version need
    /// weak. Only the two bytes of the named entry's <c>vna_flags</c> ever change; every other byte is kept.
    /// </summary>
    /// <remarks>
    /// glibc's loader refuses a library whose non-weak version need (for example <c>GLIBCXX_3.4.32</c>) is not
    /// defined by the system library, but only warns when the need is marked <c>VER_FLG_WEAK</c>. TorchSharp's
    /// <c>libLibTorchSharp.so</c> needs <c>GLIBCXX_3.4.32</c> for one marker symbol it never calls, so weakening
    /// that need lets it load on libstdc++ from GCC 12 (Debian 12, Ubuntu 22.04).
    /// </remarks>
    public static class ElfVersionNeeds
    {
        /// <summary><c>VER_FLG_WEAK</c>: the need is optional.</summary>
        public const ushort WeakFlag = 0x2;

        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const int ElfHeaderSize = 64;
        private const int SectionHeaderSize = 64;

        /// <summary>Lists every version need of the ELF image.</summary>
        /// <param name="image">The whole file.</param>
        /// <param name="fileName">Used in error messages.</param>
        /// <exception cref="ElfFormatException">Not an ELF file, a 32-bit or big-endian one, or truncated.</exception>
        public static IReadOnlyList<ElfVersionNeed> ReadVersionNeeds(byte[] image, string fileName)
        {
            var reader = new Reader(image, fileName);
            var result = new List<ElfVersionNeed>();
            foreach (var section in reader.SectionsOfType(ShtGnuVerneed))
            {
                long strtab = reader.LinkedStringTable(section);
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    ushort count = reader.U16(entry + 2);
                    string library = reader.String(strtab, reader.U32(entry + 4));
                    long aux = entry + reader.U32(entry + 8);
                    for (int j = 0; j < count; j++)
                    {
                        ushort flags = reader.U16(aux + 4);
                        string version = reader.String(strtab, reader.U32(aux + 8));
                        result.Add(new ElfVersionNeed(library, version, flags, aux + 4));
                        uint nextAux = reader.U32(aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = reader.U32(entry + 12);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>Lists the version names a shared library defines (for example every <c>GLIBCXX_*</c> of libstdc++).</summary>
        /// <param name="image">The whole file.</param>
        /// <param name="fileName">Used in error messages.</param>
        /// <exception cref="ElfFormatException">Not an ELF file, a 32-bit or big-endian one, or truncated.</exception>
        public static IReadOnlyList<string> ReadVersionDefinitions(byte[] image, string fileName)
        {
            var reader = new Reader(image, fileName);
            var result = new List<string>();
            foreach (var section in reader.SectionsOfType(ShtGnuVerdef))
            {
                long strtab = reader.LinkedStringTable(section);
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    long aux = entry + reader.U32(entry + 12);
                    result.Add(reader.String(strtab, reader.U32(aux)));
                    uint next = reader.U32(entry + 16);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>
        /// Marks the need for <paramref name="version"/> weak in the file at <paramref name="path"/>. The change is
        /// made on a copy beside the file, which then replaces it (so a hard link to a shared copy is never
        /// written through, and a failure leaves the original as it was).
        /// </summary>
        /// <returns><c>true</c> when the file was changed; <c>false</c> when it has no such need or it is already weak.</returns>
        /// <exception cref="ElfFormatException">The file is not a readable 64-bit little-endian ELF object; it is left unchanged.</exception>
        public static bool MarkWeak(string path, string version)
        {
            byte[] image = File.ReadAllBytes(path);
            bool changed = false;
            foreach (var need in ReadVersionNeeds(image, path))
            {
                if (need.Version != version || need.IsWeak) continue;
                ushort flags = (ushort)(need.Flags | WeakFlag);
                image[need.FlagsOffset] = (byte)(flags & 0xff);
                image[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed = true;
            }
            if (!changed) return false;

            AtomicFile.Replace(path, image);
            return true;
        }

        private readonly struct Section
        {
            public Section(long offset, long size, uint link, uint info)
            {
                Offset = offset;
                Size = size;
                Link = link;
                Info = info;
            }

            public long Offset { get; }
            public long Size { get; }
            public uint Link { get; }
            public uint Info { get; }
        }

        private sealed class Reader
        {
            private readonly byte[] _image;
            private readonly string _fileName;
            private readonly long _sectionTable;
            private readonly int _sectionCount;

            public Reader(byte[] image, string fileName)
            {
                _image = image;
                _fileName = fileName;
                if (image.Length < 4 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                    throw new ElfFormatException($"'{fileName}' is not an ELF file (no \\x7fELF magic).");
                if (image.Length < ElfHeaderSize)
                    throw new ElfFormatException($"'{fileName}' is truncated: {image.Length} bytes, shorter than an ELF header.");
                if (image[4] != 2)
                    throw new ElfFormatException($"'{fileName}' is a {(image[4] == 1 ? "32-bit" : $"class-{image[4]}")} ELF file; only 64-bit ELF is supported.");
                if (image[5] != 1)
                    throw new ElfFormatException($"'{fileName}' is a big-endian ELF file; only little-endian ELF is supported.");
                _sectionTable = (long)U64(0x28);
                int entrySize = U16(0x3A);
                _sectionCount = U16(0x3C);
                if (_sectionTable == 0 || _sectionCount == 0)
                    throw new ElfFormatException($"'{fileName}' has no section headers.");
                if (entrySize != SectionHeaderSize)
                    throw new ElfFormatException($"'{fileName}' has section headers of {entrySize} bytes, expected {SectionHeaderSize}.");
                Require(_sectionTable, (long)_sectionCount * SectionHeaderSize, "the section header table");
            }

            public IEnumerable<Section> SectionsOfType(uint type)
            {
                for (int i = 0; i < _sectionCount; i++)
                {
                    var section = At(i);
                    if (U32(_sectionTable + (long)i * SectionHeaderSize + 4) == type)
                    {
                        Require(section.Offset, section.Size, $"section {i}");
                        yield return section;
                    }
                }
            }

            public long LinkedStringTable(Section section)
            {
                if (section.Link >= _sectionCount)
                    throw new ElfFormatException($"'{_fileName}': a version section links to section {section.Link}, but there are only {_sectionCount}.");
                var strings = At((int)section.Link);
                Require(strings.Offset, strings.Size, "the dynamic string table");
                return strings.Offset;
            }

            private Section At(int index)
            {
                long header = _sectionTable + (long)index * SectionHeaderSize;
                return new Section((long)U64(header + 0x18), (long)U64(header + 0x20), U32(header + 0x28), U32(header + 0x2C));
            }

            public string String(long table, uint offset)
            {
                long start = table + offset;
                Require(start, 1, "a version name");
                long end = start;
                while (end < _image.Length && _image[end] != 0) end++;
                if (end >= _image.Length)
                    throw new ElfFormatException($"'{_fileName}' is truncated: a version name runs past the end of the file.");
                return Encoding.ASCII.GetString(_image, (int)start, (int)(end - start));
            }

            public ushort U16(long offset)
            {
                Require(offset, 2, "a version entry");
                return (ushort)(_image[offset] | _image[offset + 1] << 8);
            }

            public uint U32(long offset)
            {
                Require(offset, 4, "a version entry");
                return (uint)(_image[offset] | _image[offset + 1] << 8 | _image[offset + 2] << 16 | _image[offset + 3] << 24);
            }

            private ulong U64(long offset) => U32(offset) | (ulong)U32(offset + 4) << 32;

            private void Require(long offset, long length, string what)
            {
                if (offset < 0 || length < 0 || offset + length > _image.Length)
                    throw new ElfFormatException($"'{_fileName}' is truncated: {what} at byte {offset} (+{length}) lies beyond its {_image.Length} bytes.");
            }
        }
    }
}
