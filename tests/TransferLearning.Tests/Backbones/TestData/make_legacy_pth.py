"""Writes legacy_format.pth: a state dict in torch.save's legacy (pre-1.6) layout, the one torchvision's
published weights use, with Python's own pickle module and stand-ins for the two torch names the file refers to
(no torch needed). Layout as in torch/serialization.py `_legacy_save`: magic number, protocol version, sys info,
the pickled state dict (storages as persistent ids), the sorted storage keys, then per storage an int64 element
count and its raw little-endian bytes.

Run: python3 make_legacy_pth.py   (writes legacy_format.pth beside this script)
Expected content (checked by WeightsFileTests):
  a.weight float32 [2,3]  = [[0,1,2],[3,4,5]]      (storage "s0")
  a.bias   float32 [2]    = [10,20]                (storage "s1")
  b.weight float32 [3,2]  = [[0,3],[1,4],[2,5]]    (a transposed view of "s0": stride (1,3))
  b.bias   float32 [2]    = [4,5]                  (a view of "s0" at offset 4)
  steps    int64   []     = 7                      (storage "s2")
"""
import collections, os, pickle, struct, sys, types

torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")
sys.modules["torch"], sys.modules["torch._utils"] = torch, utils


class FloatStorage: pass
class LongStorage: pass
FloatStorage.__module__ = LongStorage.__module__ = "torch"
torch.FloatStorage, torch.LongStorage = FloatStorage, LongStorage


def _rebuild_tensor_v2(*args): pass
_rebuild_tensor_v2.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2
torch._utils = utils


class Storage:
    def __init__(self, key, kind, values):
        self.key, self.kind, self.values = key, kind, values


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, collections.OrderedDict())

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, self.args)


s0 = Storage("s0", FloatStorage, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
s1 = Storage("s1", FloatStorage, [10.0, 20.0])
s2 = Storage("s2", LongStorage, [7])
state = collections.OrderedDict()
state["a.weight"] = Tensor(s0, 0, (2, 3), (3, 1))
state["a.bias"] = Tensor(s1, 0, (2,), (1,))
state["b.weight"] = Tensor(s0, 0, (3, 2), (1, 3))
state["b.bias"] = Tensor(s0, 4, (2,), (1,))
state["steps"] = Tensor(s2, 0, (), ())
state._metadata = collections.OrderedDict([("", {"version": 1}), ("a", {"version": 1})])

storages = {}


def persistent_id(obj):
    if isinstance(obj, Storage):
        storages[obj.key] = obj
        return ("storage", obj.kind, obj.key, "cpu", len(obj.values), None)
    return None


path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "legacy_format.pth")
with open(path, "wb") as f:
    pickle.dump(0x1950A86A20F9469CFC6C, f, protocol=2)
    pickle.dump(1001, f, protocol=2)
    pickle.dump(dict(protocol_version=1001, little_endian=True, type_sizes=dict(short=2, int=4, long=4)), f, protocol=2)
    pickler = pickle.Pickler(f, protocol=2)
    pickler.persistent_id = persistent_id
    pickler.dump(state)
    keys = sorted(storages)
    pickle.dump(keys, f, protocol=2)
    for key in keys:
        s = storages[key]
        fmt = "<%df" % len(s.values) if s.kind is FloatStorage else "<%dq" % len(s.values)
        f.write(struct.pack("<q", len(s.values)))
        f.write(struct.pack(fmt, *s.values))
print("wrote", path, os.path.getsize(path), "bytes")
