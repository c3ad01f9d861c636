"""The trusted side of the boundary: starting workers and calling into them.

``Worker`` owns one worker process at a time. It is started before pytest
collects the tests, so the worker's imports overlap collection; the first
call waits until the submission has loaded. A call that times out, or after
which the worker is gone, raises ``SubmissionFailure`` naming what happened,
and the next call starts a fresh worker.
"""

from __future__ import annotations

import builtins
import os
import reprlib
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import LearnerRaised, SubmissionFailure, UnsupportedValue
from grader.sandbox import wire
from grader.sandbox.protocol import MessageReader, ProtocolError, write_message
from grader.sandbox.zygote import ZygoteGone, zygote_for
from grader.submission import Submission
from grader.timing import TIMED_RUNS, WARMUP_RUNS

PRELOAD_TIMEOUT_S = 120.0  # importing torch on a cold, slow disk
OUTPUT_FILE_LIMIT_BYTES = 64 * 1024 * 1024
OUTPUT_SHOWN_CHARS = 4000
# What an exercise lists in `requires` to have calls recorded, and what each fills in CallLog.
RECORDERS = {
    "grader.sandbox.tensor_log": "tensors",
    "grader.sandbox.kernel_log": "kernels",
    "grader.sandbox.value_log": "values",
}
_SIGNAL_REASONS = {
    "SIGSEGV": "segmentation fault",
    "SIGBUS": "bus error",
    "SIGABRT": "aborted",
    "SIGFPE": "arithmetic error",
    "SIGILL": "illegal instruction",
    "SIGKILL": "the system may have run out of memory",
    "SIGXFSZ": f"it printed more than {OUTPUT_FILE_LIMIT_BYTES // 1024**2} MB",
}


@dataclass(frozen=True)
class LearnerError:
    """Attached as ``.learner`` to an exception that the learner's code raised."""

    function: str
    type_name: str
    message: str
    traceback: str
    location: dict | None


@dataclass(frozen=True)
class WorkerSettings:
    module: str
    entry_points: tuple[str, ...]
    time_limit_s: float
    memory_limit_mb: int
    requires: tuple[str, ...]
    protected: tuple[Path, ...]  # paths the learner's code may not read
    seed: int
    budget_s: float | None = None  # all calls of this submission together; None: no cap

    @property
    def load_timeout_s(self) -> float:
        return max(10.0, 5 * self.time_limit_s)


@dataclass(frozen=True)
class CallLog:
    """What one recorded call did inside the worker.

    ``tensors``: sorted distinct ``(aten op, shape)`` of every tensor an op
    returned, e.g. ``("aten.mm.default", (4, 16))`` (needs ``tensor_log``).
    ``kernels``: sorted distinct ``(name, defined in the submission)`` of every
    Triton kernel launched (needs ``kernel_log``).
    ``values``: ``(elements, Σx, Σx², Σ|x|)`` of every floating-point tensor an
    op returned (needs ``value_log``); see ``created_a_tensor_like``."""

    tensors: tuple[tuple[str, tuple[int, ...]], ...] = ()
    kernels: tuple[tuple[str, bool], ...] = ()
    values: tuple[tuple[int, float, float, float], ...] = ()

    def created_a_tensor_like(self, tensor: Any, rtol: float = 1e-4) -> bool:
        """Whether the call created a tensor holding the values of ``tensor``, in
        any shape or order of its elements, up to rounding (``rtol`` of their size)."""
        values = tensor.detach().to("cpu").double().flatten()
        wanted = (float(values.sum()), float((values * values).sum()), float(values.abs().sum()))
        magnitude = wanted[2]
        tolerances = (rtol * magnitude, rtol * wanted[1], rtol * magnitude)
        return any(
            count == values.numel() and all(abs(got - want) <= tol for got, want, tol in zip(sums, wanted, tolerances))
            for count, *sums in self.values
        )

    @classmethod
    def from_logs(cls, logs: Any) -> CallLog:
        """The worker's plain-data logs, checked to be just what each log holds."""
        if not isinstance(logs, dict):
            raise TypeError("the call's logs are not a dict")
        tensors, kernels, values = logs.get("tensors", []), logs.get("kernels", []), logs.get("values", [])
        if not all(_is_pair(entry, str, list) and all(type(size) is int for size in entry[1]) for entry in tensors):
            raise TypeError("a tensor log entry is not [op, shape]")
        if not all(_is_pair(entry, str, bool) for entry in kernels):
            raise TypeError("a kernel log entry is not [name, defined in the submission]")
        if not all(_is_fingerprint(entry) for entry in values):
            raise TypeError("a value log entry is not [elements, sum, sum of squares, sum of magnitudes]")
        return cls(
            tensors=tuple((op, tuple(shape)) for op, shape in tensors),
            kernels=tuple((name, mine) for name, mine in kernels),
            values=tuple(tuple(entry) for entry in values),
        )


def _checked_median(median: Any, repeats: int, wall_s: float) -> float:
    """The worker's median, if it could be true: at least half the timed runs
    last the median or longer, so they cannot add up to more than the call's
    wall-clock time. That bounds a median reported too slow, not one reported
    too fast: timing happens where the learner's code runs, which could patch
    the clock, so speed figures are informational and earn no points here."""
    if type(median) is not float or not median > 0:
        raise SubmissionFailure("protocol", f"the worker reported a duration of {median!r}")
    if median * (repeats // 2) > wall_s:
        raise SubmissionFailure(
            "protocol",
            f"the worker reported a median of {median:.3g} s per run, more than {repeats} runs that took "
            f"{wall_s:.3g} s in all allow: the submission's timing cannot be believed",
        )
    return median


def _is_fingerprint(entry: Any) -> bool:
    return (
        type(entry) is list
        and len(entry) == 4
        and type(entry[0]) is int
        and all(type(value) is float for value in entry[1:])
    )


def _is_pair(entry: Any, first: type, second: type) -> bool:
    return type(entry) is list and len(entry) == 2 and type(entry[0]) is first and type(entry[1]) is second


class Worker:
    def __init__(self, submission: Submission, settings: WorkerSettings):
        self.submission = submission
        self.settings = settings
        self._pid: int | None = None
        self._reader: MessageReader | None = None
        self._send_fd = -1
        self._ready = False
        self._load_failure: SubmissionFailure | None = None
        self._call_id = 0
        self._time_used_s = 0.0
        self._output_dir = Path(tempfile.mkdtemp(prefix="grade-output-"))
        self._output_file = self._output_dir / "output.txt"
        self._output_file.touch()
        self._output_offset = 0
        self._sandbox: Path | None = None
        if submission.load_error:
            self._load_failure = SubmissionFailure(
                "load", submission.load_error, location=submission.load_error_location
            )

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        """Start a worker process without waiting for it (idempotent)."""
        if self._pid is not None or self._load_failure is not None:
            return
        self._sandbox = Path(tempfile.mkdtemp(prefix="grade-sandbox-"))
        (self._sandbox / f"{self.settings.module}.py").write_text(self.submission.source, encoding="utf-8")
        commands_read, commands_write = os.pipe()
        replies_read, replies_write = os.pipe()
        output = os.open(self._output_file, os.O_WRONLY | os.O_APPEND)
        try:
            self._pid = self._fork(commands_read, replies_write, output)
        finally:
            for fd in (commands_read, replies_write, output):
                os.close(fd)
        self._send_fd = commands_write
        self._reader = MessageReader(replies_read)
        self._ready = False
        config = {
            "source": self.submission.source,
            "display_name": self.submission.display_name,
            "cell_starts": list(self.submission.cell_starts),
            "future_features": list(self.submission.future_features),
            "cell_numbers": list(self.submission.cell_numbers),
            "module": self.settings.module,
            "entry_points": list(self.settings.entry_points),
            "requires": list(self.settings.requires),
            "memory_limit_mb": self.settings.memory_limit_mb,
            "output_limit_bytes": OUTPUT_FILE_LIMIT_BYTES,
            "protected": [str(path) for path in self.settings.protected],
            "sandbox": str(self._sandbox),
            "seed": self.settings.seed,
        }
        try:
            write_message(self._send_fd, config)
        except BrokenPipeError:
            pass  # it died at once: the wait for "preloaded" reports how

    @property
    def _zygote_preload(self) -> tuple[str, ...]:
        return ("grader.sandbox.worker", *self.settings.requires)

    def _fork(self, *fds: int) -> int:
        try:
            return zygote_for(self._zygote_preload).fork(*fds)
        except ZygoteGone:
            return zygote_for(self._zygote_preload).fork(*fds)  # it had died: zygote_for started a new one

    def close(self) -> None:
        self._stop_process()
        shutil.rmtree(self._output_dir, ignore_errors=True)

    def _stop_process(self) -> None:
        if self._pid is not None:
            if self._ready:
                try:
                    write_message(self._send_fd, {"type": "shutdown"})
                except OSError:
                    pass
            self._kill()
        if self._sandbox is not None:
            shutil.rmtree(self._sandbox, ignore_errors=True)
            self._sandbox = None

    def _kill(self) -> int | None:
        """Stop the worker (and anything it started); how it ended, if the zygote says."""
        pid, self._pid = self._pid, None
        if pid is None:
            return None
        for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
            try:
                kill()  # its process group first: the worker's children too
            except (ProcessLookupError, PermissionError):
                continue  # already gone, or killed before it made its own group
        code = zygote_for(self._zygote_preload).exit_code(pid)
        os.close(self._send_fd)
        os.close(self._reader.fd)
        self._send_fd, self._reader, self._ready = -1, None, False
        return code

    def _ensure_ready(self) -> None:
        if self._load_failure is not None:
            raise self._load_failure
        if self._ready:
            return
        self.start()
        try:
            self._receive(PRELOAD_TIMEOUT_S, "starting the worker", expect=("preloaded",))
            header, _ = self._receive(
                self.settings.load_timeout_s,
                f"importing {self.submission.display_name}",
                expect=("ready", "load_error"),
            )
        except SubmissionFailure as failure:
            self._load_failure = SubmissionFailure(
                "load", f"{self.submission.display_name} could not be loaded: {failure}"
            )
            raise self._load_failure from None
        if header["type"] == "load_error":
            self._stop_process()
            self._load_failure = SubmissionFailure(
                "load",
                str(header.get("message")),
                traceback=str(header.get("traceback") or ""),
                location=header.get("location"),
            )
            raise self._load_failure
        self._ready = True

    # -- calls ---------------------------------------------------------------

    def call(
        self, function: str, args: tuple, kwargs: dict, *, record: bool = False, timed: tuple[int, int] | None = None
    ) -> Any:
        """Call ``function`` of the submission; in-place changes to ``args`` are applied back.

        With ``record`` the result is ``(value, CallLog)``: what the call did,
        as far as the exercise's recorders (``RECORDERS``) saw. With ``timed =
        (warmup, repeats)`` it is the median seconds of that many runs instead
        (``grader.timing``); each run has the per-call time limit."""
        if record and not set(RECORDERS) & set(self.settings.requires):
            raise RuntimeError(f"recording a call needs one of {', '.join(RECORDERS)} in the exercise's `requires`")
        if self._budget_left() <= 0:
            raise SubmissionFailure("timeout", f"not run: the submission used up its {self.settings.budget_s:g} s")
        self._ensure_ready()
        tree, buffers = wire.encode([list(args), dict(kwargs)])
        self._call_id += 1
        call_text = _LazyText(lambda: describe_call(function, args, kwargs))  # only failures need it
        try:
            write_message(
                self._send_fd,
                {
                    "type": "call",
                    "id": self._call_id,
                    "function": function,
                    "args": tree[0],
                    "kwargs": tree[1],
                    "record": record,
                    "timed": {"warmup": timed[0], "repeats": timed[1]} if timed else None,
                },
                buffers,
            )
        except BrokenPipeError:
            pass  # the worker is gone; the read below says how
        runs = sum(timed) if timed else 1
        started = time.monotonic()
        header, reply_buffers = self._timed_receive(call_text, runs)
        wall_s = time.monotonic() - started
        if header.get("id") != self._call_id:
            self._kill()
            raise SubmissionFailure(
                "protocol",
                f"{call_text}: the worker answered out of turn (did the code write to its file descriptors?)",
            )
        kind = header.get("type")
        if kind == "return":
            try:
                value, mutated = wire.decode(header.get("value"), reply_buffers)
                _apply_changes([*args, *kwargs.values()], mutated)
                if record:
                    return value, CallLog.from_logs(header.get("logs"))
                if timed:
                    return _checked_median(value, timed[1], wall_s)
            except (ValueError, TypeError, IndexError) as error:
                self._kill()
                raise SubmissionFailure(
                    "protocol", f"{call_text}: the worker sent a malformed value ({error})"
                ) from None
            return value
        if kind == "raise":
            raise _learner_exception(function, header)
        if kind == "unsupported":
            raise UnsupportedValue(
                f"`{function}` returned {header.get('message')}; only plain data (numbers, strings, bytes, "
                "lists, tuples, dicts, sets, arrays and tensors) can be graded"
            )
        if kind == "exit":
            raise SubmissionFailure("exit", f"{call_text} exited with code {header.get('code')} (it called sys.exit)")
        if kind == "memory":
            raise SubmissionFailure(
                "memory", f"{call_text} ran out of memory (limit: {self.settings.memory_limit_mb} MB)"
            )
        self._kill()
        raise SubmissionFailure("protocol", f"{call_text}: the worker sent an unknown reply {kind!r}")

    def _budget_left(self) -> float:
        if self.settings.budget_s is None:
            return float("inf")
        return self.settings.budget_s - self._time_used_s

    def _timed_receive(self, call_text: _LazyText, runs: int = 1) -> tuple[dict, list[bytes]]:
        """The reply to a call of ``runs`` runs, within the per-call limit each and what is left of the budget."""
        limit = min(runs * self.settings.time_limit_s, self._budget_left())
        started = time.monotonic()
        try:
            return self._receive(limit, call_text)
        finally:
            self._time_used_s += time.monotonic() - started

    def _receive(self, limit_s: float, during: str, expect: tuple[str, ...] = ()) -> tuple[dict, list[bytes]]:
        try:
            header, buffers = self._reader.read(time.monotonic() + limit_s)
        except TimeoutError:
            self._kill()
            raise SubmissionFailure("timeout", f"{during} timed out after {limit_s:g} s") from None
        except EOFError:
            raise self._died(during) from None
        except ProtocolError as error:
            self._kill()
            raise SubmissionFailure("protocol", f"{during}: the worker broke its channel ({error})") from None
        if expect and header.get("type") not in expect:
            self._kill()
            raise SubmissionFailure("protocol", f"{during}: unexpected message {header.get('type')!r} from the worker")
        return header, buffers

    def _died(self, during: str) -> SubmissionFailure:
        # Its reply pipe closed: it has exited or is about to, so the kill only collects its code.
        was_ready = self._ready
        code = self._kill()
        if code is None or code >= 0:
            tail = self._output_tail(600).strip()
            detail = f"; its last output:\n{tail}" if tail and not was_ready else ""
            return SubmissionFailure("exit", f"{during} exited the worker with code {code}{detail}")
        name = _signal_name(-code)
        reason = _SIGNAL_REASONS.get(name)
        kind = "memory" if name == "SIGKILL" else "signal"
        return SubmissionFailure(kind, f"{during} was killed by signal {name}" + (f" ({reason})" if reason else ""))

    # -- output --------------------------------------------------------------

    def take_output(self) -> str:
        """The learner's stdout and stderr since the last call of this method (tail kept)."""
        size = self._output_file.stat().st_size
        start = max(self._output_offset, size - OUTPUT_SHOWN_CHARS)
        with open(self._output_file, "rb") as output:
            output.seek(start)
            text = output.read(size - start).decode("utf-8", "replace")
        dropped = start - self._output_offset
        self._output_offset = size
        if dropped:
            text = f"[... {dropped} earlier bytes not shown ...]\n{text}"
        return text

    def _output_tail(self, chars: int) -> str:
        with open(self._output_file, "rb") as output:
            output.seek(max(0, self._output_file.stat().st_size - chars))
            return output.read().decode("utf-8", "replace")


class SubmissionProxy:
    """What tests see as ``submission``: ``submission.max_value(...)`` calls into the worker."""

    def __init__(self, worker: Worker):
        self._worker = worker

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            return self._worker.call(name, args, kwargs)

        call.__name__ = name
        return call

    def call_recording(self, name: str, *args, **kwargs) -> tuple[Any, CallLog]:
        """``(result, log)``: calls ``name`` and says what the call did inside the
        worker: the tensors it created, their values' fingerprints and the Triton
        kernels it launched (see ``CallLog``), for tests of what code must or must
        never do (FlashAttention never builds the T×T scores; MLA's absorbed form
        never builds per-head keys; a Triton exercise launches the learner's kernel)."""
        return self._worker.call(name, args, kwargs, record=True)

    def call_timed(self, name: str, *args, warmup: int = WARMUP_RUNS, repeats: int = TIMED_RUNS, **kwargs) -> float:
        """The median seconds ``name(*args, **kwargs)`` takes in the worker, timed as
        ``grader.timing`` times the baselines: CUDA events and a flushed L2 cache
        when the arguments are on a GPU."""
        return self._worker.call(name, args, kwargs, timed=(warmup, repeats))

    def __repr__(self) -> str:
        return f"<submission {self._worker.submission.display_name}>"


class _LazyText:
    """Text built the first time it is shown: the repr of big tensors costs time on every call."""

    def __init__(self, build):
        self._build = build

    def __str__(self) -> str:
        return self._build()

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def describe_call(function: str, args: tuple, kwargs: dict) -> str:
    shortener = reprlib.Repr()
    shortener.maxlist = shortener.maxtuple = shortener.maxdict = 8
    shortener.maxstring = shortener.maxother = 40
    parts = [shortener.repr(arg) for arg in args] + [f"{key}={shortener.repr(value)}" for key, value in kwargs.items()]
    return f"{function}({', '.join(parts)})"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _learner_exception(function: str, header: dict) -> Exception:
    """The learner's exception as the same builtin type, or ``LearnerRaised``."""
    name, message = str(header.get("exc_type")), str(header.get("message"))
    builtin = getattr(builtins, name, None) if header.get("builtin") else None
    error: Exception | None = None
    if isinstance(builtin, type) and issubclass(builtin, Exception):
        try:
            error = builtin(message)
        except Exception:  # noqa: BLE001 - types like UnicodeDecodeError need other arguments
            error = None
    if error is None:
        what = "a non-builtin exception" if not header.get("builtin") else "an exception"
        error = LearnerRaised(f"`{function}` raised {what}, {name}: {message}")
    traceback = str(header.get("traceback") or "")
    error.learner = LearnerError(function, name, message, traceback, header.get("location"))
    if traceback:
        error.add_note(f"raised in your code:\n{traceback}")
    return error


def _apply_changes(arguments: list, changed: dict) -> None:
    """Make the caller's arguments show what the learner's function did to them in place."""
    for position, new in changed.items():
        target = arguments[position]
        if isinstance(target, list) and isinstance(new, list):
            target[:] = new
        elif isinstance(target, (dict, set)) and isinstance(new, type(target)):
            target.clear()
            target.update(new)
        elif isinstance(target, bytearray) and isinstance(new, bytes):
            target[:] = new
        elif type(target).__module__ == "numpy" and getattr(new, "shape", None) == target.shape:
            target[...] = new
        elif type(target).__module__.startswith("torch") and getattr(new, "shape", None) == target.shape:
            import torch

            with torch.no_grad():
                target.copy_(new.to(target.device))
