"""The worker: the only process that runs the learner's code.

Started by ``grader.sandbox.client.Worker`` as ``python -c ... <read fd> <write fd>``.
It reads its configuration, preloads the exercise's heavy modules, confines
itself (``policy``), loads the submission, then answers calls until told to
stop or killed. Everything it sends is plain data (``wire``).

Messages to the trusted side:
``preloaded`` · ``ready`` or ``load_error`` · per call one of ``return``
(with ``logs`` when the call asked to be recorded; a median duration when it
asked to be timed), ``raise``,
``unsupported``, ``exit``, ``memory``.
"""

from __future__ import annotations

import builtins
import importlib
import io
import linecache
import os
import random
import sys
import tempfile
import traceback
import types
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import Any

from grader.errors import UnsupportedValue
from grader.sandbox import policy, wire
from grader.sandbox.protocol import MessageReader, write_message
from grader.submission import compiler_flags, describe_line


class SubmissionHost:
    """The learner's module inside the worker, and the calls made to it."""

    def __init__(self, config: dict[str, Any], reply_fd: int):
        self.config = config
        self.reply_fd = reply_fd
        self.filename = config["display_name"]
        self.cell_starts = tuple(config["cell_starts"])
        self.cell_numbers = tuple(config["cell_numbers"])
        self.module: types.ModuleType | None = None

    def send(self, header: dict[str, Any], buffers: list[bytes] = ()) -> None:
        write_message(self.reply_fd, header, buffers)

    # -- loading -------------------------------------------------------------

    def preload(self) -> None:
        policy.limit_resources(self.config["output_limit_bytes"])
        for name in self.config["requires"]:
            importlib.import_module(name)
        self.seed_generators(self.config["seed"])
        self.send({"type": "preloaded"})

    def seed_generators(self, seed: int) -> None:
        random.seed(seed)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed(seed)
        if "torch" in sys.modules:
            sys.modules["torch"].manual_seed(seed)

    def load(self) -> None:
        sandbox = Path(self.config["sandbox"])
        module_name = self.config["module"]
        source = self.config["source"]
        os.chdir(sandbox)
        os.environ["TMPDIR"] = str(sandbox)
        tempfile.tempdir = str(sandbox)
        sys.path.insert(0, str(sandbox))
        sys.dont_write_bytecode = True
        # Tracebacks quote the learner's lines, also for a notebook, which no
        # file on disk holds as Python.
        linecache.cache[self.filename] = (len(source), None, source.splitlines(True), self.filename)
        # ctypes opens libraries when imported: import it before the hook refuses
        # that to learner code, so `import ctypes` in a submission still works.
        importlib.import_module("ctypes")
        toolchain = self.prepare_required_modules(sandbox)
        policy.limit_memory(self.config["memory_limit_mb"])
        protected = [Path(path) for path in self.config["protected"]]
        policy.install_audit_hook(sandbox, protected, self.filename, toolchain)

        module = types.ModuleType(module_name)
        module.__file__ = str(sandbox / f"{module_name}.py")
        sys.modules[module_name] = module
        try:
            flags = compiler_flags(tuple(self.config["future_features"]))
            code = compile(source, self.filename, "exec", flags=flags, dont_inherit=True)
            exec(code, module.__dict__)
        except SystemExit as exit_:
            return self.load_failed(f"{self.filename} called sys.exit({exit_.code!r}) while being imported")
        except MemoryError:
            return self.load_failed(f"{self.filename} ran out of memory while being imported", kind="memory")
        except BaseException as error:  # noqa: BLE001 - anything the learner raises is reported
            if _is_host_allocation_failure(error):
                return self.load_failed(f"{self.filename} ran out of memory while being imported", kind="memory")
            learner_tb, location = self.learner_traceback(error)
            message = f"importing {self.filename} raised {self.describe_exception(error)}"
            return self.load_failed(message, traceback=learner_tb, location=location)
        for name in self.config["entry_points"]:
            if name not in module.__dict__:
                return self.load_failed(f"`{name}` is not defined in {self.filename}")
            if not callable(module.__dict__[name]):
                kind = wire.type_name(module.__dict__[name])
                return self.load_failed(f"`{name}` in {self.filename} is a {kind}, not a function")
        self.module = module
        self.send({"type": "ready"})

    def prepare_required_modules(self, sandbox: Path) -> policy.Toolchain | None:
        """Let each preloaded module that defines ``prepare_worker(sandbox)`` set up,
        before the worker confines itself, what it cannot set up after: a CUDA
        context, a compiler (``kernel_log``). Returns the toolchain one of them
        may run under the audit hook."""
        toolchain = None
        for name in self.config["requires"]:
            prepare = getattr(sys.modules.get(name), "prepare_worker", None)
            if prepare is not None:
                toolchain = prepare(sandbox) or toolchain
        return toolchain

    def load_failed(self, message: str, *, kind: str = "load", traceback: str = "", location=None) -> None:
        self.send(
            {"type": "load_error", "kind": kind, "message": message, "traceback": traceback, "location": location}
        )

    # -- calls ---------------------------------------------------------------

    def serve(self, reader: MessageReader) -> None:
        while True:
            header, buffers = reader.read()
            if header.get("type") == "shutdown":
                return
            self.call(header, buffers)

    def call(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        call_id, name = header["id"], header["function"]
        args = wire.decode(header["args"], buffers)
        kwargs = wire.decode(header["kwargs"], buffers)
        function = getattr(self.module, name, None)
        if not callable(function):
            error = {
                "exc_type": "AttributeError",
                "builtin": True,
                "message": f"`{name}` is not defined in {self.filename}",
            }
            return self.send({"type": "raise", "id": call_id, "traceback": "", "location": None, **error})
        arguments = [*args, *kwargs.values()]
        recorders = self.recorders() if header.get("record") else []
        try:
            # A timed call returns only its time, so in-place changes are not looked for:
            # that would copy every large argument to the host twice per call.
            before = [None if header.get("timed") else self.encode_or_none(argument) for argument in arguments]
            with ExitStack() as recording:
                logs = {module.LOG_NAME: (module, recording.enter_context(module.recording())) for module in recorders}
                if header.get("timed"):
                    result = self.time_call(function, args, kwargs, header["timed"])
                else:
                    result = function(*args, **kwargs)
        except SystemExit as exit_:
            return self.send(
                {"type": "exit", "id": call_id, "code": exit_.code if type(exit_.code) is int else repr(exit_.code)}
            )

        except MemoryError:
            return self.send({"type": "memory", "id": call_id})
        except BaseException as error:  # noqa: BLE001 - anything the learner raises is reported
            if _is_host_allocation_failure(error):
                return self.send({"type": "memory", "id": call_id})
            learner_tb, location = self.learner_traceback(error)
            kind = type(error)
            return self.send(
                {
                    "type": "raise",
                    "id": call_id,
                    "exc_type": kind.__name__,
                    "builtin": getattr(builtins, kind.__name__, None) is kind,
                    "message": self.exception_message(error),
                    "traceback": learner_tb,
                    "location": location,
                }
            )
        try:
            # The trusted side sees in-place changes (heapq-style functions) as
            # arguments whose encoding changed during the call.
            changed = [
                position
                for position, argument in enumerate(arguments)
                if before[position] is not None and self.encode_or_none(argument) != before[position]
            ]
            tree, out_buffers = wire.encode((result, {position: arguments[position] for position in changed}))
        except UnsupportedValue as error:
            return self.send({"type": "unsupported", "id": call_id, "message": str(error)})
        except MemoryError:  # copying a huge result to send it
            return self.send({"type": "memory", "id": call_id})
        reply = {"type": "return", "id": call_id, "value": tree}
        if recorders:
            reply["logs"] = {name: module.as_plain_data(log, self.filename) for name, (module, log) in logs.items()}
        self.send(reply, out_buffers)

    @staticmethod
    def time_call(function, args: list, kwargs: dict, timed: dict) -> float:
        """The median seconds of ``function(*args, **kwargs)`` (``grader.timing``), on
        the GPU's clock when a tensor argument is on a CUDA device."""
        from grader.timing import median_seconds

        cuda = any(
            getattr(getattr(value, "device", None), "type", None) == "cuda" for value in [*args, *kwargs.values()]
        )
        with _without_dispatch_modes():
            return median_seconds(
                lambda: function(*args, **kwargs), cuda=cuda, warmup=timed["warmup"], repeats=timed["repeats"]
            )

    def recorders(self) -> list[types.ModuleType]:
        """The preloaded modules that can record what a call does (``tensor_log``, ``kernel_log``)."""
        modules = (sys.modules.get(name) for name in self.config["requires"])
        return [module for module in modules if hasattr(module, "LOG_NAME")]

    @staticmethod
    def encode_or_none(value: Any) -> tuple[Any, list[bytes]] | None:
        try:
            return wire.encode(value)
        except UnsupportedValue:
            return None

    # -- describing the learner's errors -------------------------------------

    def learner_traceback(self, error: BaseException) -> tuple[str, dict | None]:
        """The traceback cut to the learner's own frames, and the innermost one's location."""
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == self.filename]
        lines = []
        for frame in frames:
            where = describe_line(self.filename, self.cell_starts, self.cell_numbers, frame.lineno or 0)
            lines.append(f"  {where}, in {frame.name}")
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        lines.append(self.describe_exception(error))
        location = {"file": self.filename, "line": frames[-1].lineno} if frames else None
        return "\n".join(lines), location

    def describe_exception(self, error: BaseException) -> str:
        message = self.exception_message(error)
        return f"{type(error).__name__}: {message}" if message else type(error).__name__

    @staticmethod
    def exception_message(error: BaseException) -> str:
        try:
            return str(error)
        except BaseException:  # noqa: BLE001 - a learner's __str__ may raise anything
            return f"<{type(error).__name__} whose message cannot be shown>"


def _is_host_allocation_failure(error: BaseException) -> bool:
    """torch's CPU allocator reports the memory limit as a RuntimeError, not a
    MemoryError. (A GPU's out-of-memory error stays the learner's: its message
    names the GPU, and the worker's limit is not what ran out.)"""
    # Exactly RuntimeError, as torch raises it: a learner's subclass could make str() raise.
    return type(error) is RuntimeError and "DefaultCPUAllocator: can't allocate memory" in str(error)


def _without_dispatch_modes():
    """A context in which torch runs without the grader's dispatch modes (``poison``
    fills every new output with NaN: a second pass over memory that would be
    timed as the learner's), if torch is loaded at all."""
    if "torch" not in sys.modules:
        return nullcontext()
    from torch.utils._python_dispatch import _disable_current_modes

    return _disable_current_modes()


def serve_forked(commands_fd: int, replies_fd: int, output_fd: int) -> int:
    """Entry point of a worker forked by the zygote (``grader.sandbox.zygote``); its exit code."""
    try:
        os.setsid()  # a process group of its own, so the trusted side can kill it and its children
        _redirect_output(output_fd)
        main(commands_fd, replies_fd)
        return 0
    except SystemExit as exit_:  # sys.exit outside any call the worker guards
        return exit_.code if type(exit_.code) is int else 1
    except BaseException:  # noqa: BLE001 - report it in the captured output, end this worker only
        traceback.print_exc()
        return 1


def _redirect_output(output: int) -> None:
    """stdout and stderr to the capture file, unbuffered so a crash loses nothing; no stdin."""
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)


def main(read_fd: int, write_fd: int) -> None:
    reader = MessageReader(read_fd)
    config, _ = reader.read()
    host = SubmissionHost(config, write_fd)
    host.preload()
    host.load()
    if host.module is not None:
        host.serve(reader)
