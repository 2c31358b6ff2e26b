"""A warm parent for short-lived CLI runs: one process imports the project once, then forks a child per command
that runs `lib.__main__.main(argv)` and exits with its status. The child is a real process (its own pid, killable
with SIGKILL, its files and locks its own) without an interpreter start-up of its own.

Protocol on the parent's stdin/stdout, one line each: `run <json {"argv", "env", "stderr"}>` → child pid (the child
adds `env` to its environment and writes its standard error to the file `stderr`, else to /dev/null);
`poll <pid> [seconds]` → `running` or its exit code (waiting up to `seconds` for it to end); `wait <pid>` → its
exit code (negative: the signal that ended it)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_DIR

PARENT = r"""
import json, os, sys, time
# Warm: what an ingest imports, imported once (no connection, no thread started before a fork).
import pandas, pyarrow, pyarrow.pandas_compat, tqdm
import lib.__main__, lib.commands.ingest, lib.ingest.openrouter, lib.ingest.pipeline, lib.ingest.quarantine, lib.store
print("ready", flush=True)
done = {}  # pid -> exit code of the children reaped so far
for line in sys.stdin:
    cmd, _, arg = line.strip().partition(" ")
    if cmd == "run":
        req = json.loads(arg)
        pid = os.fork()
        if pid == 0:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            if req.get("stderr"):
                os.dup2(os.open(req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
            os.environ.update(req.get("env") or {})
            argv = req["argv"]
            try:
                code = lib.__main__.main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                code = 70
            os._exit(code or 0)
        print(pid, flush=True)
    elif cmd in ("poll", "wait"):
        child, _, seconds = arg.partition(" ")
        child = int(child)
        deadline = time.monotonic() + float(seconds or 0)
        while child not in done:
            pid, status = os.waitpid(child, os.WNOHANG if cmd == "poll" else 0)
            if pid:
                done[child] = os.waitstatus_to_exitcode(status)
            elif time.monotonic() >= deadline:
                break
            else:
                time.sleep(0.005)
        print(done.get(child, "running"), flush=True)
"""


class Forker:
    def __init__(self, env: dict):
        self.proc = subprocess.Popen([sys.executable, "-c", PARENT], cwd=PROJECT_DIR, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdout
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the forking parent did not start (exit {self.proc.wait()})")

    def _ask(self, line: str) -> str:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer:
            raise RuntimeError(f"the forking parent died (exit {self.proc.poll()})")
        return answer

    def run(self, *argv, env: dict | None = None, stderr: str | Path | None = None) -> int:
        """Start `python -m lib ARGV` in a forked child (with `env` added to its environment, its standard error
        written to the file `stderr`); returns its pid."""
        req = {"argv": [str(a) for a in argv], "env": env or {}, "stderr": str(stderr) if stderr else None}
        return int(self._ask("run " + json.dumps(req)))

    def poll(self, pid: int, seconds: float = 0.0) -> int | None:
        """The child's exit code, or None while it runs (after waiting up to `seconds` for it to end)."""
        answer = self._ask(f"poll {pid} {seconds:.4f}")
        return None if answer == "running" else int(answer)

    def wait(self, pid: int) -> int:
        return int(self._ask(f"wait {pid}"))

    def __enter__(self) -> Forker:
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
