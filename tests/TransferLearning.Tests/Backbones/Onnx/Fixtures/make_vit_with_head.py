"""The vit_tiny_variant of make_onnx_zoo.py (shared/fixtures/onnx-torchvision) with a random classifier head:
torchvision initialises a ViT's head to zeros, so the shared fixture's logits are all 0 and compare nothing.
Usage: python3 make_vit_with_head.py OUTDIR (Debian's python3-torchvision and python3-onnx). Writes
OUTDIR/vit_tiny_head_opsetN.onnx, .input.npy, .logits.npy for opsets 13 and 17 and cases.json, in the same format."""
import json, os, sys, numpy as np, torch, torchvision, onnx
from torchvision.models import vision_transformer as vit

out, seed, size = sys.argv[1], 1, 96
os.makedirs(out, exist_ok=True)
cases = []
for opset in (13, 17):
    torch.manual_seed(seed)
    m = vit.VisionTransformer(image_size=size, patch_size=16, num_layers=2, num_heads=2, hidden_dim=64, mlp_dim=128, num_classes=10).eval()
    with torch.no_grad():
        m.heads.head.weight.normal_(0, 0.5)
        m.heads.head.bias.uniform_(-0.1, 0.1)
        m.class_token.normal_(0, 0.5)
    x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(seed + 1))
    with torch.no_grad():
        y = m(x)
    name = f"vit_tiny_head_opset{opset}"
    path = os.path.join(out, f"{name}.onnx")
    torch.onnx.export(m, x, path, opset_version=opset, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True)
    np.save(os.path.join(out, f"{name}.input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out, f"{name}.logits.npy"), y.numpy().astype(np.float32))
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    cases.append({"name": name, "onnx": f"{name}.onnx", "input": f"{name}.input.npy", "logits": f"{name}.logits.npy",
                  "opset": opset, "size": size, "seed": seed, "ops": ops, "params": sum(p.numel() for p in m.parameters())})
    print(name, os.path.getsize(path) // 1024, "KiB", ops, flush=True)
json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__, "cases": cases}, open(os.path.join(out, "cases.json"), "w"), indent=1)
