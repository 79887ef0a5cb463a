"""`make bench`: run every bench/bench_*.py in its own process, collect the lines that start
with `BENCH <name> <value>`, and write docs/benchmarks.md with the command, the date and the
machine. A benchmark that fails is reported as failed; the others still run.

`python bench/run.py bench_scores.py` runs only the named scripts; the rows of the others are
kept from the existing file and marked as coming from an earlier run."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUTPUT = BASE_DIR / "docs" / "benchmarks.md"


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def _postgres_version() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return "not used (DATABASE_URL is not PostgreSQL)"
    try:
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "?"
    except Exception as error:
        return f"? ({error.__class__.__name__})"


def machine() -> list[tuple[str, str]]:
    memory_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    memory = f"{int(memory_kb) / 1024 / 1024:.1f} GiB" if memory_kb.isdigit() else "?"
    return [
        ("CPU", _first("/proc/cpuinfo", "model name")),
        ("nproc", str(os.cpu_count())),
        ("memory", memory),
        ("Python", platform.python_version()),
        ("PostgreSQL", _postgres_version()),
        ("OS", platform.platform()),
        # Other processes slow every figure down; this says how busy the machine was.
        ("load average at the end (1/5/15 min)", " / ".join(f"{x:.1f}" for x in os.getloadavg())),
    ]


def _earlier_rows(skip: set[str]) -> list[tuple[str, str, str]]:
    """The table rows of docs/benchmarks.md whose script is not in `skip`."""
    rows = []
    if OUTPUT.exists():
        for line in OUTPUT.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 3 and cells[0].startswith("bench_") and cells[0] not in skip:
                value = cells[2].removesuffix(" (earlier run)")
                rows.append((cells[0], cells[1].strip("`"), f"{value} (earlier run)"))
    return rows


def main() -> int:
    results: list[tuple[str, str, str]] = []
    failed = []
    scripts = sorted((BASE_DIR / "bench").glob("bench_*.py"))
    chosen = set(sys.argv[1:])
    if chosen:
        scripts = [s for s in scripts if s.name in chosen]
        results = _earlier_rows({s.name for s in scripts})
    for script in scripts:
        print(f"== {script.name}", flush=True)
        done = subprocess.run(
            [sys.executable, str(script)], cwd=BASE_DIR, capture_output=True, text=True
        )
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr[-4000:])
        for line in done.stdout.splitlines():
            if line.startswith("BENCH "):
                _tag, name, value = line.split(maxsplit=2)
                results.append((script.name, name, value))
        if done.returncode:
            failed.append(script.name)
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python bench/run.py`); do not edit by hand.",
        "",
        f"- Command: `make bench` ({' '.join([Path(sys.executable).name, *sys.argv])})",
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        *(f"- {key}: {value}" for key, value in machine()),
        "",
        "| benchmark | metric | value |",
        "|---|---|---|",
        *(
            f"| {script} | `{name}` | {value} |"
            for script, name, value in sorted(results, key=lambda row: row[0])
        ),
    ]
    if failed:
        lines += ["", f"Failed: {', '.join(failed)}"]
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(BASE_DIR)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
