"""A minimal safetensors reader and writer (no pickle, no third-party package).

Layout (the public safetensors format): an 8-byte little-endian unsigned header
length, a UTF-8 JSON header ``{name: {"dtype", "shape", "data_offsets"}}`` plus an
optional ``"__metadata__"`` map of string to string, then the raw little-endian
tensor bytes. Offsets are relative to the first byte after the header. The header
is padded with spaces to a multiple of 8 bytes so the data is aligned.
"""

from __future__ import annotations

import json
import struct
from typing import Dict, Mapping, Optional, Tuple

import numpy as np

_DTYPES: Dict[str, np.dtype] = {
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "F64": np.dtype("<f8"),
    "I32": np.dtype("<i4"),
    "I64": np.dtype("<i8"),
    "U8": np.dtype("u1"),
}

# Refuse headers larger than this when reading: a corrupt length must not make
# us allocate gigabytes.
MAX_HEADER_BYTES = 16 << 20


def _dtype_name(dt: np.dtype) -> str:
    for name, d in _DTYPES.items():
        if d == dt.newbyteorder("<") or d == dt:
            return name
    raise ValueError(f"safetensors: unsupported dtype {dt}")


def encode(tensors: Mapping[str, np.ndarray], metadata: Optional[Mapping[str, str]] = None) -> bytes:
    """Serialise named arrays (written in sorted name order) and string metadata."""
    header: Dict[str, object] = {}
    if metadata:
        for k, v in metadata.items():
            if not isinstance(v, str):
                raise TypeError(f"safetensors: metadata {k!r} must be a string")
        header["__metadata__"] = dict(metadata)
    blobs = []
    offset = 0
    for name in sorted(tensors):
        if name == "__metadata__":
            raise ValueError("safetensors: reserved tensor name")
        arr = np.asarray(tensors[name])
        dname = _dtype_name(arr.dtype)
        data = np.ascontiguousarray(arr, dtype=_DTYPES[dname]).tobytes()
        header[name] = {"dtype": dname, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)
    return struct.pack("<Q", len(hjson)) + hjson + b"".join(blobs)


def save(path: str, tensors: Mapping[str, np.ndarray], metadata: Optional[Mapping[str, str]] = None) -> None:
    """Write ``tensors`` and ``metadata`` to ``path`` as a safetensors file."""
    with open(path, "wb") as f:
        f.write(encode(tensors, metadata))


def decode(buf: bytes) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """Parse a safetensors byte string into (tensors, metadata); checks bounds."""
    if len(buf) < 8:
        raise ValueError("safetensors: truncated header length")
    (hlen,) = struct.unpack("<Q", buf[:8])
    if hlen > MAX_HEADER_BYTES or 8 + hlen > len(buf):
        raise ValueError("safetensors: bad header length")
    header = json.loads(buf[8 : 8 + hlen].decode("utf-8"))
    data = memoryview(buf)[8 + hlen :]
    meta = header.pop("__metadata__", {}) or {}
    out: Dict[str, np.ndarray] = {}
    for name, info in header.items():
        dt = _DTYPES[info["dtype"]]
        shape = tuple(int(s) for s in info["shape"])
        a, b = (int(o) for o in info["data_offsets"])
        n = int(np.prod(shape)) if shape else 1
        if not (0 <= a <= b <= len(data)) or b - a != n * dt.itemsize:
            raise ValueError(f"safetensors: bad offsets for {name}")
        out[name] = np.frombuffer(data[a:b], dtype=dt).reshape(shape).copy()
    return out, dict(meta)


def load(path: str) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """Read a safetensors file written by :func:`save` (or any other writer)."""
    with open(path, "rb") as f:
        return decode(f.read())
