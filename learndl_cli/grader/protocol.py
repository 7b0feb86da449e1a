"""Safe transport between the grading parent and the child that runs the learner's code.

Frames are an 8-byte little-endian length and a payload written with ``torch.save``. Before saving,
the child turns every value into plain data: tensors become plain CPU ``torch.Tensor`` objects with
their original type name, dtype, device and shape recorded beside them (a meta tensor sends only
that metadata); numbers, strings, None, lists, tuples and str-keyed dicts stay as they are; any
other object becomes a marker naming its type. The parent reads frames with
``torch.load(..., weights_only=True)``, which cannot run code, then checks every tensor is exactly
``torch.Tensor``. So nothing the child sends can execute in the parent, and an object with a
forged ``__eq__`` never reaches a comparison.

The parent reads and writes frames with a deadline (``select``, non-blocking writes), so a child
that writes half a frame and stops, or stops reading a large request, cannot hang it; it refuses
frames over ``MAX_FRAME`` bytes.
"""

from __future__ import annotations

import io
import os
import select
import struct
import time

import torch

MAX_FRAME = 256 * 1024 * 1024
_TENSOR = "__learndl_tensor__"
_TUPLE = "__learndl_tuple__"
_OBJECT = "__learndl_object__"
_MAX_DEPTH = 20


class ChannelClosed(Exception):
    """The other side closed the pipe (the child exited or died)."""


class ChannelTimeout(Exception):
    """No complete frame arrived before the deadline."""


class BadFrame(Exception):
    """A frame that is too large or cannot be decoded."""


# -------------------------------------------------------------------------------------------- encode


def _type_name(obj) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _plain_tensor(t: torch.Tensor) -> dict:
    # Torch-function overrides of a subclass must not run here: read it as a plain tensor.
    with torch.no_grad(), torch._C.DisableTorchFunctionSubclass():
        meta = {
            _TENSOR: True,
            "type": _type_name(t),
            "dtype": str(t.dtype),
            "device": str(t.device),
            "shape": [int(s) for s in t.shape],
            "data": None,
        }
        base = torch.Tensor.as_subclass(t, torch.Tensor) if type(t) is not torch.Tensor else t
        if base.device.type != "meta":
            data = base.detach().to("cpu")
            if data.is_sparse or data.layout != torch.strided:
                data = data.to_dense()
            meta["data"] = data.clone().contiguous()
    return meta


def to_plain(obj, depth: int = 0):
    """Plain data for ``obj`` (runs in the child; see the module docstring)."""
    if depth > _MAX_DEPTH:
        return {_OBJECT: "too deeply nested"}
    cls = type(obj)
    if obj is None or cls in (bool, int, float, str):
        return obj
    if issubclass(cls, torch.Tensor):
        return _plain_tensor(obj)
    if cls is torch.Size:
        return {_TUPLE: [int(s) for s in obj]}
    if cls is tuple:
        return {_TUPLE: [to_plain(v, depth + 1) for v in obj]}
    if cls is list:
        return [to_plain(v, depth + 1) for v in obj]
    if cls is dict and all(type(k) is str for k in obj):
        return {k: to_plain(v, depth + 1) for k, v in obj.items()}
    return {_OBJECT: _type_name(obj)}


def dumps(obj) -> bytes:
    buf = io.BytesIO()
    # The legacy (non-zip) format: about 6x faster to write for these small messages, and read by
    # the same weights-only unpickler as the zip format.
    torch.save(obj, buf, _use_new_zipfile_serialization=False)
    return buf.getvalue()


def loads(data: bytes):
    try:
        return torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except Exception as exc:  # anything the child wrote that is not a safe torch.save payload
        raise BadFrame(f"unreadable result ({type(exc).__name__})") from None


# -------------------------------------------------------------------------------------------- decode


class Unsupported:
    """Stands in for an object the child could not send as data (its type name is kept)."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


class WrongTensor(Exception):
    """A tensor result that is not a plain tensor on the expected device."""


def from_plain(obj, expect_device: str | None = None):
    """Values for the parent: tensors are plain CPU tensors (meta tensors on meta).

    Raises ``WrongTensor`` for a tensor subclass or a tensor on a device other than
    ``expect_device`` (a device type such as "cpu", "cuda", "meta").
    """
    if isinstance(obj, list):
        return [from_plain(v, expect_device) for v in obj]
    if isinstance(obj, dict):
        if obj.get(_TENSOR) is True:
            return _tensor_from(obj, expect_device)
        if _TUPLE in obj and len(obj) == 1:
            return tuple(from_plain(v, expect_device) for v in obj[_TUPLE])
        if _OBJECT in obj and len(obj) == 1:
            return Unsupported(str(obj[_OBJECT]))
        return {str(k): from_plain(v, expect_device) for k, v in obj.items()}
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if type(obj) is torch.Tensor:  # a bare tensor (only a forged frame has one)
        raise WrongTensor("a tensor without its description")
    return Unsupported(type(obj).__name__)


_DTYPES = {str(d): d for d in (
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int8, torch.int16,
    torch.int32, torch.int64, torch.uint8, torch.bool, torch.complex64, torch.complex128,
)}


def _tensor_from(d: dict, expect_device: str | None) -> torch.Tensor:
    type_name = str(d.get("type"))
    if type_name != "torch.Tensor":
        raise WrongTensor(
            f"your code returned a {type_name.rsplit('.', 1)[-1]} (a subclass of torch.Tensor); return a plain tensor"
        )
    device = str(d.get("device", "cpu"))
    dtype = _DTYPES.get(str(d.get("dtype")))
    shape = [int(s) for s in d.get("shape", [])]
    if dtype is None:
        raise WrongTensor(f"your code returned a tensor of unsupported dtype {d.get('dtype')}")
    if expect_device is not None and device.split(":")[0] != expect_device:
        raise WrongTensor(
            f"your code returned a tensor on '{device}' although the inputs were on '{expect_device}'; "
            f"create new tensors on the inputs' device (device=X.device, or torch.zeros_like / torch.rand_like)"
        )
    data = d.get("data")
    if device.split(":")[0] == "meta":
        return torch.empty(shape, dtype=dtype, device="meta")
    if type(data) is not torch.Tensor or list(data.shape) != shape or data.dtype != dtype:
        raise WrongTensor("a tensor whose data does not match its description")
    return data


# -------------------------------------------------------------------------------------------- frames


def write_frame(fd: int, payload: bytes, deadline: float | None = None) -> None:
    """Write one frame. With ``deadline`` (the parent's side; ``fd`` must be non-blocking), a
    reader that stops reading cannot hold the writer past it: ChannelTimeout."""
    data = struct.pack("<Q", len(payload)) + payload
    view = memoryview(data)
    while view:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
                raise ChannelTimeout()
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            continue
        view = view[n:]


def _read_exact(fd: int, n: int, deadline: float) -> bytes:
    chunks = []
    while n > 0:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ChannelTimeout()
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            raise ChannelTimeout()
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise ChannelClosed()
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float) -> bytes:
    """One frame, or ChannelTimeout / ChannelClosed / BadFrame."""
    (size,) = struct.unpack("<Q", _read_exact(fd, 8, deadline))
    if size > MAX_FRAME:
        raise BadFrame(f"a result of {size // (1024 * 1024)} MB (the limit is {MAX_FRAME // (1024 * 1024)} MB)")
    return _read_exact(fd, size, deadline)


def read_blocking(fd: int) -> bytes | None:
    """The child's side: one frame, or None at end of input."""
    head = b""
    while len(head) < 8:
        chunk = os.read(fd, 8 - len(head))
        if not chunk:
            return None
        head += chunk
    (size,) = struct.unpack("<Q", head)
    parts, n = [], size
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)
