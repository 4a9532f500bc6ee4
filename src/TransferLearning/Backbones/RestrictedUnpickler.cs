using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace TransferLearning.Backbones;

/// <summary>
/// A pickle reader for <c>torch.save</c>d state dicts that only ever builds plain data and tensor descriptions.
/// It knows the opcodes of pickle protocols 0–5 that such files use and a short list of globals
/// (<see cref="AllowedGlobals"/>); any other global, any object construction (<c>NEWOBJ</c>, <c>INST</c>, <c>OBJ</c>,
/// extension codes) and any call of something not on the list is refused with an <see cref="InvalidDataException"/>.
/// Nothing in a file can make it run code or create an arbitrary .NET or Python object.
/// </summary>
internal sealed class RestrictedUnpickler
{
    /// <summary>The globals a state dict may name; everything else is refused.</summary>
    internal static readonly IReadOnlySet<string> AllowedGlobals = new HashSet<string>(StringComparer.Ordinal)
    {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage",
        "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage", "torch.BoolStorage",
    };

    private static readonly object Mark = new();

    private readonly Stream _stream;
    private readonly string _source;
    private readonly Func<object?, object> _persistentLoad;
    private readonly Dictionary<long, object?> _memo = new();
    private readonly List<object?> _stack = new();
    private readonly Stack<int> _marks = new();

    /// <param name="stream">Positioned at the first opcode; left just after <c>STOP</c>.</param>
    /// <param name="source">Names the file in error messages.</param>
    /// <param name="persistentLoad">Resolves a persistent id (storages).</param>
    internal RestrictedUnpickler(Stream stream, string source, Func<object?, object> persistentLoad)
    {
        _stream = stream;
        _source = source;
        _persistentLoad = persistentLoad;
    }

    /// <summary>A global the file named (only those in <see cref="AllowedGlobals"/>).</summary>
    internal sealed record Global(string Module, string Name)
    {
        public string FullName => Module + "." + Name;
    }

    /// <summary>A dict (also <c>OrderedDict</c>), keeping insertion order.</summary>
    internal sealed class PickleDict
    {
        public List<KeyValuePair<object?, object?>> Items { get; } = new();

        public void Set(object? key, object? value)
        {
            int i = Items.FindIndex(kv => Equals(kv.Key, key));
            if (i >= 0) Items[i] = new(key, value);
            else Items.Add(new(key, value));
        }

        public object? Get(string key) => Items.FirstOrDefault(kv => kv.Key is string s && s == key).Value;
    }

    /// <summary>A tensor to build once the storages are read: a view of <paramref name="Storage"/>.</summary>
    internal sealed record TensorSpec(object Storage, long Offset, long[] Size, long[] Stride);

    /// <summary>Reads one pickle.</summary>
    internal object? Load()
    {
        _stack.Clear();
        _marks.Clear();
        while (true)
        {
            int op = _stream.ReadByte();
            if (op < 0) throw Error("the pickle ends before its STOP opcode (the file is truncated)");
            switch (op)
            {
                case 0x80: ReadByte(); break; // PROTO
                case 0x95: ReadBytes(8); break; // FRAME
                case '.': return Pop(); // STOP
                case '(': _marks.Push(_stack.Count); break; // MARK
                case '0': Pop(); break; // POP
                case '1': PopMark(); break; // POP_MARK
                case '2': Push(Peek()); break; // DUP
                case 'N': Push(null); break;
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case 'I': // INT (text)
                {
                    string line = ReadLine();
                    Push(line == "01" ? true : line == "00" ? false : long.Parse(line, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
                    break;
                }
                case 'L': Push(NormalizeInteger(BigInteger.Parse(ReadLine().TrimEnd('L'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))); break; // LONG (text)
                case 'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case 'K': Push((long)ReadByte()); break; // BININT1
                case 'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(NormalizeInteger(new BigInteger(ReadBytes(ReadByte()), isUnsigned: false, isBigEndian: false))); break; // LONG1
                case 0x8b: Push(NormalizeInteger(new BigInteger(ReadBytes(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)))), isUnsigned: false, isBigEndian: false))); break; // LONG4
                case 'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case 'F': Push(double.Parse(ReadLine(), NumberStyles.Float, CultureInfo.InvariantCulture)); break; // FLOAT
                case 'X': Push(Encoding.UTF8.GetString(ReadBytes(ReadLength(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))))); break; // BINUNICODE
                case 0x8c: Push(Encoding.UTF8.GetString(ReadBytes(ReadByte()))); break; // SHORT_BINUNICODE
                case 0x8d: Push(Encoding.UTF8.GetString(ReadBytes(ReadLength((long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8)), long.MaxValue))))); break; // BINUNICODE8
                case 'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)))))); break; // BINSTRING
                case 'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadByte()))); break; // SHORT_BINSTRING
                case 'B': Push(ReadBytes(ReadLength(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))))); break; // BINBYTES
                case 'C': Push(ReadBytes(ReadByte())); break; // SHORT_BINBYTES
                case ')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case 't': Push(PopMark().ToArray()); break; // TUPLE
                case 0x85: { var a = Pop(); Push(new[] { a }); break; } // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case ']': Push(new List<object?>()); break; // EMPTY_LIST
                case 'l': Push(PopMark()); break; // LIST
                case 'a': { var item = Pop(); AsList(Peek()).Add(item); break; } // APPEND
                case 'e': { var items = PopMark(); AsList(Peek()).AddRange(items); break; } // APPENDS
                case '}': Push(new PickleDict()); break; // EMPTY_DICT
                case 'd': { var items = PopMark(); var dict = new PickleDict(); SetItems(dict, items); Push(dict); break; } // DICT
                case 's': { var value = Pop(); var key = Pop(); AsDict(Peek()).Set(key, value); break; } // SETITEM
                case 'u': { var items = PopMark(); SetItems(AsDict(Peek()), items); break; } // SETITEMS
                case 'c': Push(MakeGlobal(ReadLine(), ReadLine())); break; // GLOBAL
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop() as string;
                    var module = Pop() as string;
                    if (module is null || name is null) throw Error("STACK_GLOBAL needs two strings");
                    Push(MakeGlobal(module, name));
                    break;
                }
                case 'R': { var args = Pop(); var callable = Pop(); Push(Call(callable, args)); break; } // REDUCE
                case 'b': { var state = Pop(); Build(Peek(), state); break; } // BUILD
                case 'q': _memo[ReadByte()] = Peek(); break; // BINPUT
                case 'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                case 'p': _memo[long.Parse(ReadLine(), CultureInfo.InvariantCulture)] = Peek(); break; // PUT
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case 'h': Push(GetMemo(ReadByte())); break; // BINGET
                case 'j': Push(GetMemo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET
                case 'g': Push(GetMemo(long.Parse(ReadLine(), CultureInfo.InvariantCulture))); break; // GET
                case 'Q': Push(_persistentLoad(Pop())); break; // BINPERSID
                default:
                    throw Error($"opcode 0x{op:x2} ('{(op >= 32 && op < 127 ? ((char)op).ToString() : "?")}') is refused: a weights file may only hold tensors, numbers, strings, lists, tuples and dicts");
            }
        }
    }

    private object MakeGlobal(string module, string name)
    {
        string full = module + "." + name;
        if (!AllowedGlobals.Contains(full))
            throw Error($"global '{full}' is refused: a weights file may only build tensors (allowed: {string.Join(", ", AllowedGlobals.Order(StringComparer.Ordinal))})");
        return new Global(module, name);
    }

    private object Call(object? callable, object? args)
    {
        if (callable is not Global g) throw Error($"REDUCE applied to {Describe(callable)}, which is not an allowed global");
        if (args is not object?[] a) throw Error($"{g.FullName} called with {Describe(args)} instead of an argument tuple");
        switch (g.FullName)
        {
            case "collections.OrderedDict":
            {
                var dict = new PickleDict();
                if (a.Length == 1 && a[0] is List<object?> pairs)
                    foreach (var pair in pairs)
                        if (pair is object?[] { Length: 2 } kv) dict.Set(kv[0], kv[1]);
                        else throw Error("OrderedDict built from something other than key-value pairs");
                else if (a.Length != 0) throw Error($"OrderedDict called with {a.Length} arguments");
                return dict;
            }
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2":
                if (a.Length < 4) throw Error($"{g.FullName} called with {a.Length} arguments; expected at least 4");
                var storage = a[0] ?? throw Error($"{g.FullName} called without a storage");
                if (storage is Global or PickleDict or TensorSpec) throw Error($"{g.FullName} called with {Describe(storage)} instead of a storage");
                return new TensorSpec(storage, ToLong(a[1]), ToLongs(a[2]), ToLongs(a[3]));
            case "torch._utils._rebuild_parameter":
                if (a.Length < 1 || a[0] is not TensorSpec data) throw Error("_rebuild_parameter called without a tensor");
                return data;
            default:
                throw Error($"{g.FullName} cannot be called");
        }
    }

    private void Build(object? target, object? state)
    {
        // OrderedDict's state is its instance __dict__ (torch keeps '_metadata' there: per-module versions). Not needed.
        if (target is PickleDict && (state is null || state is PickleDict)) return;
        throw Error($"BUILD on {Describe(target)} is refused");
    }

    private void SetItems(PickleDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) throw Error("SETITEMS with an odd number of items");
        for (int i = 0; i < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
    }

    private long ToLong(object? value) => value is long l ? l : throw Error($"expected an integer, found {Describe(value)}");

    private long[] ToLongs(object? value) => value is object?[] tuple ? tuple.Select(ToLong).ToArray() : throw Error($"expected a tuple of integers, found {Describe(value)}");

    private static object NormalizeInteger(BigInteger value) => value >= long.MinValue && value <= long.MaxValue ? (long)value : value;

    private List<object?> AsList(object? value) => value as List<object?> ?? throw Error($"APPEND to {Describe(value)}");

    private PickleDict AsDict(object? value) => value as PickleDict ?? throw Error($"SETITEM on {Describe(value)}");

    private object? GetMemo(long key) => _memo.TryGetValue(key, out var value) ? value : throw Error($"memo entry {key} is used before it is set");

    private void Push(object? value) => _stack.Add(value);

    private object? Peek() => _stack.Count > (_marks.Count > 0 ? _marks.Peek() : 0) ? _stack[^1] : throw Error("stack underflow");

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Error("no MARK on the stack");
        int start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private int ReadByte()
    {
        int b = _stream.ReadByte();
        return b >= 0 ? b : throw Error("the pickle is truncated");
    }

    private int ReadLength(long length)
    {
        long remaining = _stream.CanSeek ? _stream.Length - _stream.Position : int.MaxValue;
        if (length < 0 || length > remaining || length > int.MaxValue) throw Error($"a length of {length} bytes runs past the end of the data");
        return (int)length;
    }

    private byte[] ReadBytes(int count)
    {
        var buffer = new byte[ReadLength(count)];
        try { _stream.ReadExactly(buffer); }
        catch (EndOfStreamException) { throw Error("the pickle is truncated"); }
        return buffer;
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            int b = ReadByte();
            if (b == '\n') return Encoding.UTF8.GetString(bytes.ToArray());
            if (bytes.Count > 4096) throw Error("a text line longer than 4096 bytes");
            bytes.Add((byte)b);
        }
    }

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        Global g => g.FullName,
        PickleDict => "a dict",
        TensorSpec => "a tensor",
        object?[] => "a tuple",
        List<object?> => "a list",
        string s => $"the string '{s}'",
        _ => value.GetType().Name,
    };

    private InvalidDataException Error(string message) => new($"{_source}: {message}.");
}
