"""A real Safe Passage server process for tests: start it, wait until healthy, stop or SIGKILL it.

Tests that need real concurrency or real crashes cannot use the in-process TestClient: they start
`safepassage serve` (the production entry point) as a child process on a free 127.0.0.1 port, against
the test's database, with the test KEK and secret key passed through the environment.

    with ServerProcess(url, kek=KEK, secret_key=SECRET, data_dir=tmp_path) as srv:
        httpx.get(srv.base_url + "/healthz")
        srv.kill()        # SIGKILL, as in a power cut of the process
        srv.start()       # the same database, a new process (and a new port)
    srv.stderr_text()     # everything the processes wrote to stderr

The process is always stopped when the `with` block ends, whatever happens inside it; without `with`,
call `close()` in a `finally` block.
"""

from __future__ import annotations

import base64
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

_SCRIPT = Path(sys.executable).with_name("safepassage")  # the console script of this venv
STARTUP_TIMEOUT = 60.0  # seconds: generous, CI machines can be slow to import the app
TEST_KEK_ID = "test-kek"  # the key id tests/conftest.py wraps data keys with

#: Text that must never appear in a response or in the server's stderr.
LEAK_MARKERS = ("database is locked", "Traceback", "unhandled error", "OperationalError", "deadlock")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str, *, kek: bytes, secret_key: bytes, data_dir: Path, port: int) -> dict[str, str]:
    """The environment of a server process: the caller's minus every SAFEPASSAGE_* variable, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEPASSAGE_")}
    env.update(
        SAFEPASSAGE_ENV="test",
        SAFEPASSAGE_DATABASE_URL=database_url,
        SAFEPASSAGE_KEK=base64.b64encode(kek).decode(),
        SAFEPASSAGE_KEK_ID=TEST_KEK_ID,
        SAFEPASSAGE_SECRET_KEY=base64.b64encode(secret_key).decode(),
        SAFEPASSAGE_DATA_DIR=str(data_dir),
        SAFEPASSAGE_PORT=str(port),
        PYTHONUNBUFFERED="1",
        PYTHONFAULTHANDLER="1",
    )
    return env


def _die_with_parent() -> None:  # runs in the child between fork and exec
    """Linux: SIGKILL the server when the test runner dies, so a killed pytest leaves no orphan server."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


class ServerError(RuntimeError):
    """The server process did not come up (its stderr is in the message)."""


class ServerProcess:
    """One server at a time on `database_url`; `start()` again after `stop()`/`kill()` for a restart."""

    def __init__(
        self,
        database_url: str,
        *,
        kek: bytes,
        secret_key: bytes,
        data_dir: Path,
        startup_timeout: float = STARTUP_TIMEOUT,
    ) -> None:
        self.database_url = database_url
        self.kek = kek
        self.secret_key = secret_key
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0  # processes spawned
        self._logs: dict[int, Path] = {}  # pid -> stderr file

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT of the running process."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        """Whether a process was started and has not exited."""
        return self.proc is not None and self.proc.poll() is None

    @staticmethod
    def command(port: int) -> list[str]:
        """`safepassage serve` on 127.0.0.1:port (through the CLI's main() if the script is missing)."""
        args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        if _SCRIPT.exists():
            return [str(_SCRIPT), *args]
        return [sys.executable, "-c", "from safepassage.cli import main; main()", *args]

    def _spawn(self, port: int) -> subprocess.Popen[bytes]:
        log = self.data_dir / f"server-{self.starts:03d}.stderr"
        self.starts += 1
        with open(log, "wb") as err:
            proc = subprocess.Popen(
                self.command(port),
                cwd=self.data_dir,
                env=server_env(self.database_url, kek=self.kek, secret_key=self.secret_key,
                               data_dir=self.data_dir, port=port),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,  # a Ctrl-C in the test runner does not hit the server first
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        self._logs[proc.pid] = log
        return proc

    def start(self) -> ServerProcess:
        """Start a process and wait for /healthz; retries on another port if the port was taken meanwhile."""
        if self.running:
            raise RuntimeError("server already running")
        last = ""
        for _ in range(3):
            self.port = free_port()
            self.proc = self._spawn(self.port)
            if self._wait_healthy():
                return self
            last = self._logs[self.proc.pid].read_text(errors="replace")
            self.kill()
            if "address already in use" not in last.lower():
                break
        raise ServerError(f"server did not become healthy within {self.startup_timeout:.0f}s; stderr:\n{last[-4000:]}")

    def _wait_healthy(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc is None or self.proc.poll() is not None:
                    return False
                try:
                    if client.get(f"{self.base_url}/healthz").status_code == 200:
                        return True
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        return False

    def _terminate(self, sig: signal.Signals) -> int | None:
        proc, self.proc = self.proc, None
        return None if proc is None else _reap(proc, sig)

    def stop(self) -> int | None:
        """Graceful stop (SIGTERM, uvicorn finishes its requests); SIGKILL after 30 s."""
        return self._terminate(signal.SIGTERM)

    def kill(self) -> int | None:
        """SIGKILL: no cleanup, no flush, no goodbye — as if the process lost its power."""
        return self._terminate(signal.SIGKILL)

    def close(self) -> None:
        """Kill the running process, if any (safe to call more than once)."""
        self.kill()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if et is None:
            self.stop()
        self.close()

    # -- diagnostics -------------------------------------------------------------------------------

    def stderr_text(self) -> str:
        """Everything every process started by this object wrote to stderr, in order."""
        return "".join(p.read_text(errors="replace") for p in self._logs.values() if p.exists())

    def leaks(self) -> list[str]:
        """The LEAK_MARKERS found in stderr."""
        text = self.stderr_text().lower()
        return [m for m in LEAK_MARKERS if m.lower() in text]


def _reap(proc: subprocess.Popen[bytes], sig: signal.Signals) -> int:
    """Signal a process (if still running) and wait for it; SIGKILL if it lingers 30 s."""
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(timeout=30)
