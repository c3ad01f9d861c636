"""Plain data on the wire: a JSON tree plus raw byte buffers.

Only these cross the trust boundary: None, bool, int, float, str, bytes, list,
tuple, dict, set, frozenset, and arrays (``numpy.ndarray``, ``torch.Tensor``)
carried as dtype + shape + bytes. Subclasses of the builtin types are carried
as their base type and tensor subclasses as plain tensors, so no method of the
learner's ever runs on the trusted side. Anything else raises
``UnsupportedValue``.

Decoding is strict: it builds nothing but the types above, so the trusted side
never unpickles or evaluates what the worker sent. JSON objects only ever
appear as tags (``{"$tuple": [...]}``), so a learner's dict cannot pose as one.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from grader.errors import UnsupportedValue

MAX_DEPTH = 200
# numpy dtype kinds that are plain bytes: bool, signed, unsigned, float, complex.
_NUMPY_KINDS = frozenset("biufc")


def encode(value: Any) -> tuple[Any, list[bytes]]:
    """``value`` as (JSON-compatible tree, buffers)."""
    buffers: list[bytes] = []
    return _encode(value, buffers, 0), buffers


def decode(tree: Any, buffers: list[bytes]) -> Any:
    """Rebuild a value from ``encode``'s output; ``ValueError`` on anything malformed."""
    return _decode(tree, buffers, 0)


def type_name(value: Any) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _encode(value: Any, buffers: list[bytes], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise UnsupportedValue(f"a value nested more than {MAX_DEPTH} levels deep")
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return _encode(float.__float__(value), buffers, depth)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        buffers.append(bytes(value))
        return {"$bytes": len(buffers) - 1}
    if isinstance(value, list):
        return [_encode(item, buffers, depth + 1) for item in list.__iter__(value)]
    if isinstance(value, tuple):
        return {"$tuple": [_encode(item, buffers, depth + 1) for item in tuple.__iter__(value)]}
    if isinstance(value, (set, frozenset)):
        tag = "$frozenset" if isinstance(value, frozenset) else "$set"
        return {tag: [_encode(item, buffers, depth + 1) for item in value]}
    if isinstance(value, dict):
        items = dict.items(value)
        return {"$dict": [[_encode(k, buffers, depth + 1), _encode(v, buffers, depth + 1)] for k, v in items]}
    module = type(value).__module__.split(".")[0]
    if module == "numpy":
        return _encode_numpy(value, buffers, depth)
    if module == "torch" or _is_tensor(value):
        return _encode_tensor(value, buffers)
    raise UnsupportedValue(f"an object of type {type_name(value)}")


def _is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _encode_numpy(value: Any, buffers: list[bytes], depth: int) -> Any:
    import numpy as np

    if isinstance(value, np.generic):  # numpy scalars travel as Python scalars
        return _encode(value.item(), buffers, depth)
    if not isinstance(value, np.ndarray) or value.dtype.kind not in _NUMPY_KINDS:
        raise UnsupportedValue(f"an object of type {type_name(value)}")
    array = np.ascontiguousarray(value)
    buffers.append(array.tobytes())
    return {"$ndarray": {"dtype": array.dtype.str, "shape": list(array.shape), "data": len(buffers) - 1}}


def _encode_tensor(value: Any, buffers: list[bytes]) -> Any:
    """A dense tensor as dtype, shape, strides and the span of storage its elements use,
    so a non-contiguous view (a transpose, a slice with a step, an expanded tensor)
    arrives as the same kind of view."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise UnsupportedValue(f"an object of type {type_name(value)}")
    # Bypass a subclass's __torch_function__: only the raw storage is read.
    with torch._C.DisableTorchFunctionSubclass():
        plain = torch.Tensor.as_subclass(value, torch.Tensor)
        if plain.layout != torch.strided or plain.is_quantized or plain.device.type == "meta":
            raise UnsupportedValue(f"a {plain.layout} tensor on {plain.device} (only dense tensors are graded)")
        device = str(plain.device)
        strides = list(plain.stride())
        if plain.numel() == 0:
            strides, data = list(torch.empty(plain.shape).stride()), b""
        else:
            # The span of storage moves to the CPU, not the view: moving a
            # strided view would make it contiguous.
            span = 1 + sum((size - 1) * stride for size, stride in zip(plain.shape, strides))
            used = torch.as_strided(plain.detach(), (span,), (1,), plain.storage_offset()).to("cpu").contiguous()
            data = used.view(torch.uint8).numpy().tobytes()
        buffers.append(data)
    dtype = str(plain.dtype).removeprefix("torch.")
    return {
        "$tensor": {
            "dtype": dtype,
            "shape": list(plain.shape),
            "strides": strides,
            "device": device,
            "data": len(buffers) - 1,
        }
    }


def _decode(tree: Any, buffers: list[bytes], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError(f"value nested more than {MAX_DEPTH} levels deep")
    if tree is None or type(tree) in (bool, int, float, str):
        return tree
    if type(tree) is list:
        return [_decode(item, buffers, depth + 1) for item in tree]
    if type(tree) is not dict or len(tree) != 1:
        raise ValueError("malformed value on the wire")
    ((tag, body),) = tree.items()
    if tag == "$float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "$bytes":
        return _buffer(buffers, body)
    if tag in ("$tuple", "$set", "$frozenset") and type(body) is list:
        items = [_decode(item, buffers, depth + 1) for item in body]
        return {"$tuple": tuple, "$set": set, "$frozenset": frozenset}[tag](items)
    if tag == "$dict" and type(body) is list:
        pairs = []
        for pair in body:
            if type(pair) is not list or len(pair) != 2:
                raise ValueError("malformed dict on the wire")
            pairs.append((_decode(pair[0], buffers, depth + 1), _decode(pair[1], buffers, depth + 1)))
        return dict(pairs)
    if tag == "$ndarray" and type(body) is dict:
        return _decode_ndarray(body, buffers)
    if tag == "$tensor" and type(body) is dict:
        return _decode_tensor(body, buffers)
    raise ValueError(f"unknown tag {tag!r} on the wire")


def _buffer(buffers: list[bytes], index: Any) -> bytes:
    if type(index) is not int or not 0 <= index < len(buffers):
        raise ValueError("malformed buffer reference on the wire")
    return buffers[index]


def _shape(body: dict) -> tuple[int, ...]:
    shape = body.get("shape")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError("malformed shape on the wire")
    return tuple(shape)


def _decode_ndarray(body: dict, buffers: list[bytes]) -> Any:
    import numpy as np

    try:
        dtype = np.dtype(str(body.get("dtype")))
    except TypeError:
        raise ValueError("unknown numpy dtype on the wire") from None
    if dtype.kind not in _NUMPY_KINDS or dtype.hasobject or dtype.fields:
        raise ValueError(f"numpy dtype {dtype} is not allowed on the wire")
    shape, data = _shape(body), _buffer(buffers, body.get("data"))
    if math.prod(shape) * dtype.itemsize != len(data):
        raise ValueError("array size does not match its shape")
    return np.frombuffer(bytearray(data), dtype=dtype).reshape(shape)


def _decode_tensor(body: dict, buffers: list[bytes]) -> Any:
    import torch

    dtype = getattr(torch, str(body.get("dtype")), None)
    if not isinstance(dtype, torch.dtype):
        raise ValueError("unknown tensor dtype on the wire")
    shape, data = _shape(body), _buffer(buffers, body.get("data"))
    strides = body.get("strides")
    if type(strides) is not list or len(strides) != len(shape) or not all(type(n) is int and n >= 0 for n in strides):
        raise ValueError("malformed strides on the wire")
    device = str(body.get("device", "cpu"))
    device = device if device.startswith("cuda") and torch.cuda.is_available() else "cpu"
    if math.prod(shape) == 0:
        if data:
            raise ValueError("an empty tensor with data on the wire")
        return torch.empty(shape, dtype=dtype, device=device)
    span = 1 + sum((size - 1) * stride for size, stride in zip(shape, strides))
    if span * dtype.itemsize != len(data):
        raise ValueError("tensor data does not match its shape and strides")
    # The storage moves to the device, then the view is rebuilt on it: moving
    # the view itself would make a strided one contiguous.
    storage = torch.frombuffer(bytearray(data), dtype=torch.uint8).view(dtype).to(device)
    return torch.as_strided(storage, shape, strides)
