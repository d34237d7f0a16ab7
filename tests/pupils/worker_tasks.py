"""Tasks for the worker tests: each run appends a line to a file, so a test
can count how many times a task ran (the worker is another process)."""

import time
from pathlib import Path

from django.tasks import task


@task()
def append_line(*, path: str, line: str, seconds: float = 0) -> None:
    with Path(path).open("a") as f:
        f.write(f"start {line}\n")
    time.sleep(seconds)
    with Path(path).open("a") as f:
        f.write(f"done {line}\n")
