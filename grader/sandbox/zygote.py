"""The zygote: a clean, pre-imported process that forks one worker per request.

Importing torch takes seconds; a worker forked from a process that has
already imported it starts in milliseconds. That makes restarts after a crash
cheap and lets a batch of submissions pay for ``import torch`` once per
grading process. The zygote itself never runs learner code, and it is started
from a fresh interpreter, so it holds nothing of the grading process (no
tests, no reference solution) for a forked worker to find.

Protocol over a Unix socket pair with the trusted side:

* trusted -> zygote: ``fork`` with three descriptors attached (SCM_RIGHTS):
  the worker's command pipe, its reply pipe and its output file;
* zygote -> trusted, one JSON object per line: ``{"pid": N}`` for each fork,
  ``{"exited": N, "code": C}`` for each worker that ended (C < 0: killed by
  signal -C), since only the zygote, their parent, can collect that.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[3]); "
    "from grader.sandbox.zygote import serve; serve(int(sys.argv[1]), sys.argv[2].split(','))"
)


# Workers inherit these: set iteration order in learner code is the same on every
# run, and numeric libraries reduce in one thread (the same float sums every run,
# and no oversubscription when several gradings share the cores).
REPRODUCIBLE_ENVIRONMENT = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class ZygoteGone(Exception):
    pass


class Zygote:
    """The trusted side's handle on one zygote process."""

    def __init__(self, preload: tuple[str, ...]):
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, str(theirs.fileno()), ",".join(preload), _PACKAGE_PARENT],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env={**os.environ, **REPRODUCIBLE_ENVIRONMENT},
            start_new_session=True,  # Ctrl-C in the terminal reaches the grader, which stops it
        )
        theirs.close()
        self._socket = ours
        self._pending = b""
        self._exit_codes: dict[int, int] = {}

    def fork(self, commands_fd: int, replies_fd: int, output_fd: int) -> int:
        """Start a worker on these descriptors; its pid."""
        try:
            socket.send_fds(self._socket, [b"fork"], [commands_fd, replies_fd, output_fd])
        except OSError as error:
            raise ZygoteGone(str(error)) from None
        while True:
            message = self._next_message(deadline=None)
            if "pid" in message:
                return int(message["pid"])

    def exit_code(self, pid: int, timeout: float = 10.0) -> int | None:
        """How worker ``pid`` ended, once it has; None if the zygote does not say in time."""
        deadline = time.monotonic() + timeout
        while pid not in self._exit_codes:
            try:
                self._next_message(deadline)
            except (TimeoutError, ZygoteGone):
                return None
        return self._exit_codes.pop(pid)

    def _next_message(self, deadline: float | None) -> dict:
        while b"\n" not in self._pending:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self._socket], [], [], wait)[0]:
                raise TimeoutError
            chunk = self._socket.recv(65536)
            if not chunk:
                raise ZygoteGone("the zygote exited")
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        message = json.loads(line)
        if "exited" in message:
            self._exit_codes[int(message["exited"])] = int(message["code"])
        return message


_zygotes: dict[tuple[str, ...], Zygote] = {}


def zygote_for(preload: tuple[str, ...]) -> Zygote:
    """This process's zygote with ``preload`` imported, started on first use (or after it died)."""
    zygote = _zygotes.get(preload)
    if zygote is None or zygote.process.poll() is not None:
        zygote = _zygotes[preload] = Zygote(preload)
    return zygote


# -- the zygote process --------------------------------------------------------


def serve(socket_fd: int, preload: list[str]) -> None:
    """Main loop of the zygote: fork workers on request, report how they end."""
    channel = socket.socket(fileno=socket_fd)
    for name in filter(None, preload):
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # the worker imports it again and reports the error where a learner sees it
    from grader.sandbox import worker

    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes select through the wake-up pipe

    def send(message: dict) -> None:
        channel.sendall(json.dumps(message).encode() + b"\n")

    while True:
        ready, _, _ = select.select([channel, wake_read], [], [])
        if wake_read in ready:
            os.read(wake_read, 4096)
            _report_exits(send)
        if channel in ready:
            request, fds, _, _ = socket.recv_fds(channel, 64, 3)
            if not request:
                return  # the grading process is gone
            pid = os.fork()
            if pid == 0:
                channel.close()
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.close(wake_read)
                os.close(wake_write)
                os._exit(worker.serve_forked(*fds))
            for fd in fds:
                os.close(fd)
            send({"pid": pid})


def _report_exits(send) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        send({"exited": pid, "code": os.waitstatus_to_exitcode(status)})
