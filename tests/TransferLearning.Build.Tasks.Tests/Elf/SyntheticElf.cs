using System.Text;

namespace TransferLearning.Build.Tasks.Tests.Elf;

/// <summary>
/// Writes minimal 64-bit little-endian ELF files with a .dynstr, a .gnu.version_r (needs) and a .gnu.version_d
/// (definitions) section — just enough for the version readers, byte-exact and independent of any toolchain.
/// </summary>
internal static class SyntheticElf
{
    public static byte[] WithNeeds(string library, params (string Version, ushort Flags)[] needs) =>
        Build(library, needs, Array.Empty<string>());

    public static byte[] WithDefinitions(params string[] versions) =>
        Build("libself.so", Array.Empty<(string, ushort)>(), versions);

    private static byte[] Build(string library, (string Version, ushort Flags)[] needs, string[] definitions)
    {
        // String table.
        var strtab = new List<byte> { 0 };
        int AddString(string s)
        {
            int offset = strtab.Count;
            strtab.AddRange(Encoding.ASCII.GetBytes(s));
            strtab.Add(0);
            return offset;
        }
        int libName = AddString(library);
        var needNames = needs.Select(n => AddString(n.Version)).ToArray();
        var defNames = definitions.Select(AddString).ToArray();

        // .gnu.version_r: one Verneed (16 bytes) followed by its Vernaux entries (16 bytes each).
        var verneed = new List<byte>();
        if (needs.Length > 0)
        {
            verneed.AddRange(U16(1)); verneed.AddRange(U16((ushort)needs.Length));
            verneed.AddRange(U32((uint)libName)); verneed.AddRange(U32(16)); verneed.AddRange(U32(0));
            for (int i = 0; i < needs.Length; i++)
            {
                verneed.AddRange(U32(0x0a0b0c0d)); verneed.AddRange(U16(needs[i].Flags)); verneed.AddRange(U16((ushort)(i + 2)));
                verneed.AddRange(U32((uint)needNames[i])); verneed.AddRange(U32(i == needs.Length - 1 ? 0u : 16u));
            }
        }

        // .gnu.version_d: Verdef (20 bytes) + one Verdaux (8 bytes) per definition.
        var verdef = new List<byte>();
        for (int i = 0; i < definitions.Length; i++)
        {
            verdef.AddRange(U16(1)); verdef.AddRange(U16(0)); verdef.AddRange(U16((ushort)(i + 1))); verdef.AddRange(U16(1));
            verdef.AddRange(U32(0)); verdef.AddRange(U32(20)); verdef.AddRange(U32(i == definitions.Length - 1 ? 0u : 28u));
            verdef.AddRange(U32((uint)defNames[i])); verdef.AddRange(U32(0));
        }

        const int headerSize = 64;
        int strtabOffset = headerSize;
        int verneedOffset = strtabOffset + strtab.Count;
        int verdefOffset = verneedOffset + verneed.Count;
        int shoff = (verdefOffset + verdef.Count + 7) / 8 * 8;
        const int sections = 4; // null, .dynstr, .gnu.version_r, .gnu.version_d

        var file = new byte[shoff + sections * 64];
        file[0] = 0x7f; file[1] = (byte)'E'; file[2] = (byte)'L'; file[3] = (byte)'F';
        file[4] = 2; file[5] = 1; file[6] = 1;
        Put(file, 0x10, U16(3));            // ET_DYN
        Put(file, 0x12, U16(62));           // x86-64
        Put(file, 0x14, U32(1));
        Put(file, 0x28, U64((ulong)shoff));
        Put(file, 0x34, U16(headerSize));
        Put(file, 0x3A, U16(64));
        Put(file, 0x3C, U16(sections));
        strtab.CopyTo(file, strtabOffset);
        verneed.CopyTo(file, verneedOffset);
        verdef.CopyTo(file, verdefOffset);

        void Section(int index, uint type, int offset, int size, uint link, uint info)
        {
            int h = shoff + index * 64;
            Put(file, h + 4, U32(type));
            Put(file, h + 0x18, U64((ulong)offset));
            Put(file, h + 0x20, U64((ulong)size));
            Put(file, h + 0x28, U32(link));
            Put(file, h + 0x2C, U32(info));
        }
        Section(1, 3, strtabOffset, strtab.Count, 0, 0);
        Section(2, 0x6ffffffe, verneedOffset, verneed.Count, 1, needs.Length > 0 ? 1u : 0u);
        Section(3, 0x6ffffffd, verdefOffset, verdef.Count, 1, (uint)definitions.Length);
        return file;
    }

    private static void Put(byte[] target, int offset, byte[] value) => value.CopyTo(target, offset);
    private static byte[] U16(ushort v) => BitConverter.GetBytes(v);
    private static byte[] U32(uint v) => BitConverter.GetBytes(v);
    private static byte[] U64(ulong v) => BitConverter.GetBytes(v);
}
