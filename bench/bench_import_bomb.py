"""Refusing hostile uploads: a 339 KB XLSX that expands to 100 MB of shared strings, and a
1,000,000-row XLSX (7 MB, 51 MB expanded). Each is judged by the import's upload form, as
an upload request does, in a fresh process (so that its peak memory is the refusal's own).

Prints `BENCH import_bomb_refusal_s`, the slower of the two refusals, and
`BENCH import_bomb_peak_mb`, the larger peak resident memory of the two processes.
Target: < 2 s, < 200 MB.

`python bench/bench_import_bomb.py --refuse FILE` judges one file and prints
`seconds peak_mb refused message` (tests/indicators/test_import_bombs.py uses it too).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")


def refuse(path: Path) -> tuple[float, float, bool, str]:
    """Judge one upload with the import form: (seconds, peak MB, refused, message)."""
    import django

    django.setup()
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from indicators.import_forms import ImportUploadForm

    size = path.stat().st_size
    # As Django keeps an upload above 2.5 MB: a temporary file on disk.
    upload = TemporaryUploadedFile(path.name, "application/octet-stream", size, None)
    with path.open("rb") as source:
        upload.write(source.read())
    upload.seek(0)
    started = time.perf_counter()
    form = ImportUploadForm(data={}, files={"file": upload})
    valid = form.is_valid()
    seconds = time.perf_counter() - started
    peak_mb = _peak_mb()
    message = " ".join(str(error) for error in form.errors.get("file", [])) if not valid else ""
    return seconds, peak_mb, not valid, message


def _peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over exec, so a process started by a large one (a test run) would report its parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_refusal(path: Path) -> tuple[float, float, bool, str]:
    """`refuse` in a fresh Python process."""
    done = subprocess.run(
        [sys.executable, __file__, "--refuse", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=BASE_DIR,
    )
    seconds, peak, refused, message = done.stdout.strip().split(" ", 3)
    return float(seconds), float(peak), refused == "1", message


def main() -> None:
    from tests.hostile_files import many_rows, shared_strings_bomb

    results = []
    with tempfile.TemporaryDirectory() as folder:
        for name, make in (("bom.xlsx", shared_strings_bomb), ("sejuta-baris.xlsx", many_rows)):
            path = Path(folder) / name
            path.write_bytes(make())
            seconds, peak, refused, message = run_refusal(path)
            print(f"{name}: {path.stat().st_size // 1024} KB, {seconds:.2f} s, {peak:.0f} MB")
            print(f"  {message}")
            assert refused, name
            results.append((seconds, peak))
    print(f"BENCH import_bomb_refusal_s {max(s for s, _ in results):.2f}")
    print(f"BENCH import_bomb_peak_mb {max(p for _, p in results):.0f}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--refuse":
        seconds, peak, refused, message = refuse(Path(sys.argv[2]))
        print(f"{seconds:.3f} {peak:.1f} {int(refused)} {message}")
    else:
        main()
