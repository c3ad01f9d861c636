"""How the worker confines itself before the learner's code loads.

Defence in depth, not a jail: the worker is an ordinary process of the same
user. Resource limits bound what a call can consume, and an audit hook
(PEP 578) refuses the operations a submission has no business doing: starting
processes, opening sockets, signalling other processes, reading the tests or
the reference solutions, and writing or deleting anything outside the
worker's own temporary directory. Code that escapes through ctypes could still
do harm, so the trusted side never relies on the worker's good behaviour for
a verdict; it only loses the worker.

One exception to "no processes": on a GPU, Triton compiles the learner's
kernels in the worker and runs its tools to do so (ptxas, a C compiler for
the launcher). A ``Toolchain`` names those programs and the library allowed
to start them; any other process is refused. A learner who calls into
Triton's internals on purpose could misuse them, which is the same class of
escape as ctypes and changes nothing above.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

try:
    import resource
except ImportError:  # not on Windows; the limits are then not enforced
    resource = None

_ALWAYS_REFUSED = {
    "subprocess.Popen": "starting a process",
    "os.system": "starting a process",
    "os.exec": "starting a process",
    "os.spawn": "starting a process",
    "os.fork": "forking the process",
    "os.forkpty": "forking the process",
    "socket.__new__": "opening a socket",
    "socket.connect": "opening a network connection",
    "socket.bind": "opening a network port",
    "socket.getaddrinfo": "resolving network names",
}
# event -> positions of the arguments that name paths the call writes or removes
_WRITES = {
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.rename": (0, 1),
    "os.truncate": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.link": (0, 1),
    "os.symlink": (1,),
    "os.mkdir": (0,),
    "os.utime": (0,),
    "shutil.rmtree": (0,),
    "shutil.copyfile": (1,),
    "shutil.move": (0, 1),
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_WRITABLE_DEVICES = ("/dev/null",)
_SUBPROCESS_FILE = os.path.realpath(subprocess.__file__)


@dataclass(frozen=True)
class Toolchain:
    """Programs a trusted library may start from the worker: ``programs`` (real
    paths), and only when the code calling ``subprocess`` lies under ``library``."""

    library: str
    programs: frozenset[str]

    def allows(self, popen_args: tuple, caller_file: str) -> bool:
        executable, argv = popen_args[0], popen_args[1]
        if executable is None:
            executable = argv if isinstance(argv, (str, bytes)) else argv[0] if argv else None
        if executable is None:
            return False
        found = shutil.which(os.fsdecode(executable))
        library = os.path.realpath(self.library) + os.sep
        return found is not None and os.path.realpath(found) in self.programs and caller_file.startswith(library)


def limit_resources(output_bytes: int) -> None:
    """Limits that hold from the start: no core files, bounded output files."""
    if resource is None:
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (output_bytes, output_bytes))


def limit_memory(extra_mb: int) -> None:
    """Cap the address space at what is mapped now (interpreter, preloaded
    libraries) plus ``extra_mb``; a bigger allocation raises MemoryError.

    Measured after the heavy imports because torch alone maps hundreds of MB,
    so an absolute cap would either break it or mean nothing.
    """
    if resource is None or not sys.platform.startswith("linux"):
        return
    mapped = _mapped_bytes()
    if mapped:
        limit = mapped + extra_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _mapped_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def install_audit_hook(
    sandbox: Path, protected: list[Path], learner_file: str, toolchain: Toolchain | None = None
) -> None:
    """Refuse what a submission must not do (see the module docstring).

    ``learner_file`` is the filename the learner's code was compiled with: ctypes
    is refused only while a learner frame is on the stack, since numpy and torch
    use it themselves. ``toolchain``: the one library and its programs that may
    start processes.
    """
    sandbox_root = os.path.realpath(sandbox)
    protected_roots = [os.path.realpath(path) for path in protected]
    own_pid = os.getpid()
    busy = threading.local()

    def inside(path: str, root: str) -> bool:
        return path == root or path.startswith(root + os.sep)

    def resolve(path) -> str | None:
        if isinstance(path, int):
            return None  # an open file descriptor: its path was checked when it was opened
        return os.path.realpath(os.fsdecode(path))

    def refuse(what: str) -> None:
        raise PermissionError(f"the grader does not allow {what} in submissions")

    def check_read(path: str) -> None:
        if any(inside(path, root) for root in protected_roots):
            refuse(f"reading {path}")

    def check_write(path: str) -> None:
        if not inside(path, sandbox_root) and path not in _WRITABLE_DEVICES:
            refuse(f"writing or removing {path} (only the working directory {sandbox_root} is writable)")

    def learner_on_stack() -> bool:
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename == learner_file:
                return True
            frame = frame.f_back
        return False

    def caller_of_subprocess() -> str:
        frame = sys._getframe(2)
        while frame is not None and os.path.realpath(frame.f_code.co_filename) == _SUBPROCESS_FILE:
            frame = frame.f_back
        return os.path.realpath(frame.f_code.co_filename) if frame is not None else ""

    def hook(event: str, args: tuple) -> None:
        if getattr(busy, "active", False):
            return
        if event == "subprocess.Popen" and toolchain is not None:
            busy.active = True
            try:
                allowed = toolchain.allows(args, caller_of_subprocess())
            finally:
                busy.active = False
            if not allowed:
                refuse("starting a process")
            busy.spawn_allowed = True  # for the posix_spawn or fork_exec that follows in this thread
        elif event == "os.posix_spawn":
            if not spawn_permitted():
                refuse("starting a process")
        elif event in _ALWAYS_REFUSED:
            refuse(_ALWAYS_REFUSED[event])
        elif event == "open":
            busy.active = True
            try:
                path = resolve(args[0])
                if path is not None:
                    check_read(path)
                    mode, flags = args[1], args[2]
                    writes = (flags or 0) & _WRITE_FLAGS or (mode and any(c in mode for c in "wax+"))
                    if writes:
                        check_write(path)
            finally:
                busy.active = False
        elif event in _WRITES:
            busy.active = True
            try:
                for position in _WRITES[event]:
                    path = resolve(args[position])
                    if path is not None:
                        check_write(path)
            finally:
                busy.active = False
        elif event == "import" and args[0] == "_posixsubprocess":
            refuse("starting a process")
        elif event in ("os.kill", "os.killpg") and args[0] not in (own_pid, 0):
            refuse("signalling other processes")
        elif event in ("ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle") and learner_on_stack():
            refuse("loading native code with ctypes")

    def spawn_permitted() -> bool:
        """Whether the toolchain's check just let this thread's Popen through (used up here)."""
        permitted, busy.spawn_allowed = getattr(busy, "spawn_allowed", False), False
        return permitted

    sys.addaudithook(hook)
    _gate_fork_exec(spawn_permitted)


def _gate_fork_exec(permitted) -> None:
    """``_posixsubprocess.fork_exec`` starts processes without any audit event, so
    it is replaced (also where ``subprocess`` keeps it) by a gate that runs it
    only right after the hook let a ``subprocess.Popen`` through, and a fresh
    import of the module, which would restore it, is refused by the hook."""
    import _posixsubprocess

    fork_exec = _posixsubprocess.fork_exec

    def gated(*args, **kwargs):
        if not permitted():
            raise PermissionError("the grader does not allow starting a process in submissions")
        return fork_exec(*args, **kwargs)

    _posixsubprocess.fork_exec = gated
    if "subprocess" in sys.modules:
        sys.modules["subprocess"]._fork_exec = gated
