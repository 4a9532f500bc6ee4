#!/usr/bin/env python3
"""The Keras ImageDataGenerator recipe in its own terms (PIL + scipy per image, one process), for the side-by-side
loader benchmark: load_img(target_size=(224, 224)) with PIL's nearest resize (Keras' default), then per image a random
rotation (180), zoom (0.9-1.1) and shift (0.1) as one scipy.ndimage.affine_transform per channel (order 1, nearest
fill, as Keras' apply_affine_transform), random flips, samplewise centring; batches of 32 stacked into one array.
Prints one line per epoch: "epoch E images N seconds S".

Usage: keras_style_loader.py DIR EPOCHS    (Debian: apt-get install python3-scipy python3-pil)
"""
import math
import os
import sys
import time

import numpy as np
from PIL import Image
from scipy import ndimage


def files_of(root):
    paths = []
    for label in sorted(os.listdir(root)):
        folder = os.path.join(root, label)
        if os.path.isdir(folder):
            paths += [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.lower().endswith((".jpg", ".jpeg", ".png"))]
    return paths


def augment(x, rng):
    h, w = x.shape[0], x.shape[1]
    theta = math.radians(rng.uniform(-180, 180))
    tx, ty = rng.uniform(-0.1, 0.1) * h, rng.uniform(-0.1, 0.1) * w
    zx, zy = rng.uniform(0.9, 1.1), rng.uniform(0.9, 1.1)
    rotation = np.array([[math.cos(theta), -math.sin(theta), 0], [math.sin(theta), math.cos(theta), 0], [0, 0, 1]])
    shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    m = rotation @ shift @ zoom
    o_x, o_y = h / 2 - 0.5, w / 2 - 0.5
    m = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]]) @ m @ np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    channels = [ndimage.affine_transform(x[:, :, c], m[:2, :2], m[:2, 2], order=1, mode="nearest", cval=0.0) for c in range(x.shape[2])]
    x = np.stack(channels, axis=2)
    if rng.random() < 0.5:
        x = x[:, ::-1, :]
    if rng.random() < 0.5:
        x = x[::-1, :, :]
    return x - x.mean()


def main():
    root, epochs = sys.argv[1], int(sys.argv[2])
    paths = files_of(root)
    rng = np.random.default_rng(0)
    for epoch in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(len(paths))
        count = 0
        for b in range(0, len(order), 32):
            batch = []
            for i in order[b:b + 32]:
                with Image.open(paths[i]) as img:
                    x = np.asarray(img.convert("RGB").resize((224, 224), Image.NEAREST), dtype=np.float32)
                batch.append(augment(x, rng))
            count += np.stack(batch).shape[0]
        print(f"epoch {epoch} images {count} seconds {time.perf_counter() - start:.4f}", flush=True)


if __name__ == "__main__":
    main()
