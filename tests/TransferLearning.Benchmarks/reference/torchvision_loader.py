#!/usr/bin/env python3
"""torchvision's version of the seed's input pipeline, for the side-by-side loader benchmark.

ImageFolder -> Resize(224, 224) -> RandomAffine(rotation 180, shift 0.1, zoom 0.9-1.1, bilinear) -> flips -> ToTensor
-> samplewise centring, batches of 32 from a DataLoader with N workers (fresh workers every epoch: the default
persistent_workers=False, so every epoch is a cold start). Prints one line per epoch: "epoch E images N seconds S".

Usage: torchvision_loader.py DIR WORKERS EPOCHS    (Debian: apt-get install python3-torchvision)
"""
import sys
import time

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms
from torchvision.transforms import InterpolationMode


def main():
    root, workers, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(1)  # the work is in the loader's worker processes, as in a training run
    pipeline = transforms.Compose([
        transforms.Resize((224, 224)),
        transforms.RandomAffine(degrees=180, translate=(0.1, 0.1), scale=(0.9, 1.1), interpolation=InterpolationMode.BILINEAR),
        transforms.RandomHorizontalFlip(),
        transforms.RandomVerticalFlip(),
        transforms.ToTensor(),
        transforms.Lambda(lambda x: x - x.mean()),  # Keras' samplewise_center
    ])
    dataset = datasets.ImageFolder(root, transform=pipeline)
    loader = DataLoader(dataset, batch_size=32, shuffle=True, num_workers=workers)
    for epoch in range(epochs):
        start = time.perf_counter()
        count = 0
        for images, _ in loader:
            count += images.shape[0]
        print(f"epoch {epoch} images {count} seconds {time.perf_counter() - start:.4f}", flush=True)


if __name__ == "__main__":
    main()
