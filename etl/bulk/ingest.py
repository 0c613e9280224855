"""Hand batches of new cases to the ingest process and collect its results.

The bulk writer on SQLite sends each batch's new cases here after its own
transaction (catalogue, stored-case lookup, updates) has committed, and goes on
with the next batch while the ingest process inserts this one on the other
core. At most ``MAX_PENDING`` batches are on their way; ``send`` waits for the
oldest result beyond that. Results come back in the order the batches were
sent. See ``etl.bulk.ingest_worker`` for what the process does with a batch.
"""

from __future__ import annotations

import json
import logging
import os
import select
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.bulk.fresh_arrow import FreshTables
from etl.bulk.ingest_worker import write_end, write_frame

log = logging.getLogger(__name__)

WORKER = Path(__file__).with_name("ingest_worker.py")
REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
MAX_PENDING = 2


class IngestError(Exception):
    """The ingest process failed or stopped answering."""


@dataclass
class IngestResult:
    """What the ingest process did with one batch.

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
        self.ready = False
        self.pending: deque[Any] = deque()

    def send(self, tables: FreshTables, context: Any) -> list[IngestResult]:
        """Queue one batch; return the results of older batches that came back.

        ``context`` is handed back with the batch's result.
        """
        process = self._started()
        try:
            write_frame(process.stdin, [tables.cases, tables.aliases, tables.events])
        except (BrokenPipeError, OSError) as error:
            raise self._failure(f"could not send a batch: {error}") from error
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
        try:
            write_end(process.stdin)
            process.stdin.close()
            process.wait(timeout=START_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            stream.close()

    def kill(self) -> None:
        """Stop the process at once; a batch it is inserting is rolled back."""
        if self.process is not None:
            self.process.kill()
        self.close()

    def start(self) -> None:
        """Start the process; the first ``send`` waits until it has opened the store."""
        self.ready = False
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
        """Read the next message; without ``timeout``, until the process answers.

        Results can arrive two at a time, and the first ``readline`` may buffer
        both, so ``select`` (which sees only the pipe) is used only for the
        start message, which is the only one written before anything is sent.
        """
        assert self.process is not None and self.process.stdout is not None
        ready = True
        if timeout is not None:
            ready = bool(select.select([self.process.stdout], [], [], timeout)[0])
        line = self.process.stdout.readline() if ready else b""
        if not line:
            raise self._failure("it ended or did not answer")
        return json.loads(line)

    def _failure(self, what: str) -> IngestError:
        """Stop the process and build the error, with what it wrote to stderr."""
        process = self.process
        detail = ""
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            detail = process.stderr.read().decode(errors="replace").strip()
            self.process = None
        self.pending.clear()
        message = f"the SQLite ingest process failed: {what}"
        return IngestError(f"{message}\n{detail}" if detail else message)
