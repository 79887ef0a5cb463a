"""Run every bench/bench_*.py, collect their `BENCH <name> <value>` lines and write
docs/benchmarks.md with the command, the date and the machine. Used by `make bench`."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "benchmarks.md"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _postgres_version() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return "not used"
    import psycopg

    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "unknown"
    except psycopg.Error as error:
        return f"unreachable ({error.__class__.__name__})"


def main() -> int:
    scripts = sorted((ROOT / "bench").glob("bench_*.py"))
    results: list[str] = []
    outputs: list[str] = []
    failed = False
    for script in scripts:
        print(f"== {script.name}", flush=True)
        process = subprocess.Popen(
            [sys.executable, str(script)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
        failed |= process.wait() != 0
        results.extend(line for line in lines if line.startswith("BENCH "))
        outputs.append(f"### {script.name}\n\n```\n" + "\n".join(lines) + "\n```\n")
    machine = [
        f"- CPUs (nproc): {os.cpu_count()}",
        f"- Memory: {_memory()}",
        f"- CPU model: {_cpu_model()}",
        f"- Python: {platform.python_version()}",
        f"- PostgreSQL: {_postgres_version()}",
    ]
    rows = [
        "| benchmark | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for _b, name, value in (r.split(maxsplit=2) for r in results)),
    ]
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            "Written by `make bench` (bench/run.py); do not edit by hand.",
            "",
            "- Command: `make bench`",
            f"- Date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
            *machine,
            "",
            "## Results",
            "",
            *rows,
            "",
            "## Output",
            "",
            *outputs,
        ]
    )
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text)
    print(f"Wrote {OUTPUT.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
