#!/usr/bin/env python3
"""Makes the PyTorch side of MiniGrad's safetensors fixtures (Debian's python3-torch, PyTorch 1.13; no safetensors package).

    1. MINIGRAD_WRITE_FIXTURES=1 dotnet test --filter SafetensorsFixtureTests   # MiniGrad writes minigrad-model.safetensors
    2. /usr/bin/python3 tests/MiniGrad.Tests/Reference/pytorch_safetensors.py    # this script, which writes the rest

It writes:
  pytorch-model.safetensors  the state_dict of a PyTorch nn.Sequential, in the safetensors format (written here from the
                             format's description: 8-byte little-endian header length, JSON header, raw data)
  pytorch-model.json         the input and PyTorch's output for it, which MiniGrad must reproduce after LoadWeights
  minigrad-model.json        PyTorch's output for minigrad-model.safetensors, loaded into the matching nn.Sequential with
                             load_state_dict(strict=True): proof that PyTorch accepts MiniGrad's file as it is
"""
import json
import os
import struct

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float32: "F32", torch.float64: "F64"}


def write_safetensors(path, tensors):
    header, offset, chunks = {"__metadata__": {"format": "pt"}}, 0, []
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().numpy().astype("<" + tensor.numpy().dtype.str[1:]).tobytes()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def read_safetensors(path):
    with open(path, "rb") as file:
        data = file.read()
    length = struct.unpack_from("<Q", data)[0]
    header = json.loads(data[8:8 + length])
    start, tensors = 8 + length, {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        kind = {"F32": torch.float32, "F64": torch.float64}[entry["dtype"]]
        values = torch.frombuffer(bytearray(data[start + begin:start + end]), dtype=kind)
        tensors[name] = values.reshape(entry["shape"])
    return header["__metadata__"], tensors


class Maxout(nn.Linear):
    """MiniGrad's Maxout as PyTorch writes it: Linear(in, out·pieces), then view(N, out, pieces).amax(-1)."""

    def __init__(self, inputs, outputs, pieces):
        super().__init__(inputs, outputs * pieces)
        self.outputs, self.pieces = outputs, pieces

    def forward(self, x):
        return super().forward(x).view(x.shape[0], self.outputs, self.pieces).amax(-1)


def softmax_with_temperature(temperature):
    return lambda x: torch.softmax(x / temperature, dim=1)


class Lambda(nn.Module):
    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, x):
        return self.function(x)


torch.manual_seed(0)
x = torch.randn(5, 3)

# 1. PyTorch's own model and file.
theirs = nn.Sequential(nn.Linear(3, 5), nn.PReLU(5), nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 2))
with torch.no_grad():
    theirs[1].weight.uniform_(0.05, 0.4)
    write_safetensors(os.path.join(HERE, "pytorch-model.safetensors"), theirs.state_dict())
    with open(os.path.join(HERE, "pytorch-model.json"), "w") as out:
        json.dump({"torch": torch.__version__, "x": x.tolist(), "y": theirs(x).tolist()}, out)

# 2. MiniGrad's file, loaded strictly into the same architecture.
metadata, tensors = read_safetensors(os.path.join(HERE, "minigrad-model.safetensors"))
ours = nn.Sequential(nn.Linear(3, 6), nn.PReLU(6), Maxout(6, 4, 3), nn.LeakyReLU(0.1), nn.Linear(4, 4), nn.ELU(0.5),
                     nn.Linear(4, 3), Lambda(softmax_with_temperature(0.5)))
ours.load_state_dict(tensors, strict=True)
with torch.no_grad():
    with open(os.path.join(HERE, "minigrad-model.json"), "w") as out:
        json.dump({"torch": torch.__version__, "x": x.tolist(), "y": ours(x).tolist()}, out)
print("wrote pytorch-model.safetensors, pytorch-model.json and minigrad-model.json with torch", torch.__version__)
