"""Hand batches of new cases to the ingest process and collect its results.

The bulk writer on SQLite sends a batch here when all its rows are new cases,
and goes on with the next batch while the ingest process inserts this one on
the other core. At most ``MAX_PENDING`` batches are on their way; ``send``
waits for the oldest result beyond that. Results come back in the order the
batches were sent. See ``etl.bulk.ingest_worker`` for what the process does
with a batch.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import queue
import select
import subprocess
import sys
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from etl.bulk.fresh_arrow import FreshTables
from etl.bulk.ingest_worker import write_end, write_frame

log = logging.getLogger(__name__)

WORKER = Path(__file__).with_name("ingest_worker.py")
REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
MAX_PENDING = 2
PIPE_BYTES = 1 << 20


def _widen_pipe(stream) -> None:
    """Raise a pipe's buffer to 1 MiB where Linux allows, from the 64 KiB default.

    A batch's frame is a few megabytes. With the default buffer the sender and
    the process pass it in 64 KiB steps, and each step waits for the other side
    to be scheduled.
    """
    set_pipe_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_pipe_size is None:
        return
    try:
        fcntl.fcntl(stream.fileno(), set_pipe_size, PIPE_BYTES)
    except OSError as error:
        log.debug("could not widen the ingest pipe: %s", error)


class IngestError(Exception):
    """The ingest process failed or stopped responding."""


@dataclass
class IngestResult:
    """The outcome of one batch in the ingest process.

    ``first_id`` is the id of the batch's first case on success; the others
    follow in order. ``integrity`` is True when the batch was rolled back for a
    constraint, such as a case that another import inserted meanwhile.
    """

    context: Any
    ok: bool
    first_id: int = 0
    error: str = ""
    integrity: bool = False


class IngestProcess:
    """One ingest process for one SQLite case store.

    ``start`` must run in a thread that outlives the process's use: on Linux
    the process is killed when the thread that started it ends (see
    ``etl.sqlite_reader.exit_with_parent``).
    """

    def __init__(self, database: str) -> None:
        self.database = database
        self.process: subprocess.Popen | None = None
        self.started = False  # stays True after the process ends or fails
        self.ready = False
        self.pending: deque[Any] = deque()
        # Frames go through a thread: a batch's frame is far larger than a
        # pipe's buffer, so writing it waits until the process has finished
        # the batch before, and the writer should build the next one meanwhile.
        self.frames: queue.Queue[list[pa.Table] | None] = queue.Queue(maxsize=1)
        self.sender: threading.Thread | None = None

    def send(self, tables: FreshTables, context: Any) -> list[IngestResult]:
        """Queue one batch; return the results of older batches that came back.

        ``context`` is handed back with the batch's result.
        """
        self._started()
        self.frames.put([tables.cases, tables.aliases, tables.events])
        self.pending.append(context)
        results = []
        while len(self.pending) > MAX_PENDING:
            results.append(self._result())
        return results

    def drain(self) -> list[IngestResult]:
        """Wait for every batch sent so far and return their results."""
        results = []
        while self.pending:
            results.append(self._result())
        return results

    def close(self) -> None:
        """End the process after its last batch; kill it if it does not end."""
        process, self.process = self.process, None
        if process is None:
            return
        self._stop_sender()
        try:
            process.wait(timeout=START_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            stream.close()

    def _send_frames(self, stream) -> None:
        """Write queued frames to the process until None, then the end mark.

        A failed write ends the thread; the reader of the results then finds
        the process gone and reports its error.
        """
        try:
            while (tables := self.frames.get()) is not None:
                write_frame(stream, tables)
            write_end(stream)
            stream.close()
        except OSError as error:
            log.debug("ingest process input closed: %s", error)

    def _drop_frames(self) -> None:
        """Empty the frame queue so that a sender waiting on it can end."""
        while True:
            try:
                self.frames.get_nowait()
            except queue.Empty:
                return

    def _stop_sender(self) -> None:
        sender, self.sender = self.sender, None
        if sender is None:
            return
        while sender.is_alive():
            try:
                self.frames.put(None, timeout=0.1)
                break
            except queue.Full:
                continue
        sender.join()

    def start(self) -> None:
        """Start the process; the first ``send`` waits until it has opened the store."""
        self.ready = False
        self.started = True
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                self.database,
                str(os.getpid()),
                str(REPO_ROOT),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _widen_pipe(self.process.stdin)
        self.sender = threading.Thread(
            target=self._send_frames,
            args=(self.process.stdin,),
            name="ingest-sender",
            daemon=True,
        )
        self.sender.start()
        log.debug("ingest process %d started for %s", self.process.pid, self.database)

    def _started(self) -> subprocess.Popen:
        if self.process is None:
            raise IngestError("the SQLite ingest process is not running")
        if not self.ready:
            message = self._line(START_TIMEOUT_S)
            if not message.get("ready"):
                raise self._failure(f"unexpected first message {message}")
            self.ready = True
        return self.process

    def _result(self) -> IngestResult:
        context = self.pending.popleft()
        message = self._line(None)
        if "ok" not in message:
            raise self._failure(f"unexpected message {message}")
        return IngestResult(
            context=context,
            ok=bool(message["ok"]),
            first_id=int(message.get("first_id", 0)),
            error=str(message.get("error", "")),
            integrity=bool(message.get("integrity", False)),
        )

    def _line(self, timeout: float | None) -> dict[str, Any]:
        """Read the next message; without ``timeout``, wait as long as it takes.

        Results can arrive two at a time, and the first ``readline`` may buffer
        both, so ``select`` (which watches only the pipe) is used only for the
        start message, which is the only one written before anything is sent.
        """
        assert self.process is not None and self.process.stdout is not None
        ready = True
        if timeout is not None:
            ready = bool(select.select([self.process.stdout], [], [], timeout)[0])
        line = self.process.stdout.readline() if ready else b""
        if not line:
            raise self._failure("it exited or did not respond")
        return json.loads(line)

    def _failure(self, what: str) -> IngestError:
        """Stop the process and build the error, with what it wrote to stderr."""
        process = self.process
        detail = ""
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            self._drop_frames()
            self._stop_sender()
            detail = process.stderr.read().decode(errors="replace").strip()
            for stream in (process.stdout, process.stderr):
                stream.close()
            self.process = None
        self.pending.clear()
        message = f"the SQLite ingest process failed: {what}"
        return IngestError(f"{message}\n{detail}" if detail else message)
