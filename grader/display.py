"""Values as learners read them: JSON-safe summaries for results.

A counterexample may hold anything a test generated (floats that are NaN,
tuples, tensors); the result model stores it as JSON-safe data so every
output format can show it without knowing Python types.
"""

from __future__ import annotations

import math
from typing import Any

MAX_ITEMS = 64  # a longer sequence keeps its first items and says how many it had
TENSOR_VALUES_SHOWN = 16


def json_safe(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        return "…"
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, bytes | bytearray):
        return repr(bytes(value[:MAX_ITEMS])) + ("…" if len(value) > MAX_ITEMS else "")
    if isinstance(value, dict):
        return {
            str(key) if isinstance(key, str) else repr(key): json_safe(item, depth + 1) for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else list(value)
        shown = [json_safe(item, depth + 1) for item in items[:MAX_ITEMS]]
        if len(items) > MAX_ITEMS:
            shown.append(f"… {len(items) - MAX_ITEMS} more")
        return shown
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return tensor_summary(value)
    return repr(value)


def tensor_summary(array: Any) -> dict[str, Any]:
    """Shape, dtype, device and the first few values of a tensor or array."""
    module = type(array).__module__.split(".")[0]
    summary: dict[str, Any] = {
        "type": "tensor" if module == "torch" else "ndarray",
        "shape": list(array.shape),
        "dtype": str(array.dtype).removeprefix("torch."),
    }
    if module == "torch":
        summary["device"] = str(array.device)
        flat = array.detach().reshape(-1)[:TENSOR_VALUES_SHOWN].cpu()
        values = (flat.double() if flat.is_floating_point() else flat).tolist()
    else:
        values = array.reshape(-1)[:TENSOR_VALUES_SHOWN].tolist()
    summary["values"] = [json_safe(v) for v in values]
    summary["numel"] = int(math.prod(array.shape))
    return summary


class _Shown(str):
    """Text that ``repr`` shows as it is (a tensor summary inside a list)."""

    def __repr__(self) -> str:
        return str(self)


def _compact(safe: Any) -> Any:
    """Tensor summaries, wherever they sit in a value, as one short phrase each."""
    if isinstance(safe, dict) and safe.get("type") in ("tensor", "ndarray"):
        return _Shown(f"{safe['type']}({safe['dtype']}, shape={safe['shape']}, first values {safe['values'][:6]})")
    if isinstance(safe, list):
        return [_compact(item) for item in safe]
    if isinstance(safe, dict):
        return {key: _compact(item) for key, item in safe.items()}
    return safe


def short_text(value: Any, limit: int = 200) -> str:
    """One line for a terminal: ``[1, 2, 3]`` or ``tensor(float32, shape=[4, 8], ...)``."""
    safe = _compact(json_safe(value))
    if isinstance(value, str) or not isinstance(safe, str) or isinstance(safe, _Shown):
        text = repr(safe)
    else:
        text = safe  # already a repr
    return text if len(text) <= limit else text[: limit - 1] + "…"
