"""The launcher's side of the runner fork server (``runner.py --serve``).

An interpreter start costs a runner about 10 ms of CPU on these machines,
which on two cores caps a drain near 100 jobs a second before the server
does anything else. One idle runner, started once, forks spare runners
instead (well under a millisecond each): the launcher sends it the read end
of a new pipe, it forks a runner that waits on that pipe and answers the
runner's PID. The launcher then holds a spare exactly like one it started
itself (PID, the pipe's write end), and a dispatch is one pipe write.

Its runners are the fork server's children, not the server's: the server
watches them through pidfds with the identity check (PID and create time)
it uses after a restart, and the fork server reaps them. A spare that is
never used exits when its pipe closes. When the fork server is gone
(killed, or it could not start) ``spare`` answers None and the launcher
starts a runner the old way.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Mapping

#: Seconds a request to the fork server may take.
REQUEST_TIMEOUT = 5.0


class ForkServer:
    """One running ``runner.py --serve`` and the socket to it."""

    def __init__(self, pid: int, sock: socket.socket) -> None:
        self.pid = pid
        # A fork takes a millisecond; one that hangs (a stopped fork server) must not
        # hold dispatches up: past this it is given up and runners start the old way.
        sock.settimeout(REQUEST_TIMEOUT)
        self._sock = sock
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def start(cls, argv: list[str], env: Mapping[str, str]) -> ForkServer:
        """Spawn it (its own session, like every runner); raises OSError."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            pid = os.posix_spawn(
                argv[0],
                argv,
                env,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, theirs.fileno(), 0),
                    (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
                ],
                setsid=True,
            )
        except OSError:
            ours.close()
            raise
        finally:
            theirs.close()
        return cls(pid, ours)

    @property
    def closed(self) -> bool:
        """Whether it is gone (closed, or found dead by a request)."""
        return self._closed

    def spare(self) -> tuple[int, int] | None:
        """A freshly forked idle runner: (PID, write end of its job pipe); None if gone."""
        read_end, write_end = os.pipe()
        try:
            with self._lock:
                pid = 0 if self._closed else self._request(read_end)
        finally:
            os.close(read_end)
        if pid:
            return pid, write_end
        os.close(write_end)
        return None

    def _request(self, fd: int) -> int:
        try:
            socket.send_fds(self._sock, [b"f"], [fd])
            reply = b""
            while len(reply) < 8 and (chunk := self._sock.recv(8 - len(reply))):
                reply += chunk
        except OSError:
            reply = b""
        if len(reply) == 8:
            return int.from_bytes(reply, "big")
        self._close_locked()
        return 0

    def close(self) -> None:
        """Let it go: it exits at EOF (the runners it forked carry on); reap it."""
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._sock.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
