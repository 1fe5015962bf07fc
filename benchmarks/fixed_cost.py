"""Benchmark: the fixed cost of a request (issue 10 item 4), in wall time and in instructions.

The lightest authenticated page (opening a read notification: session, user, acting
membership and scope, one indexed query, a redirect) against the floor, a bare Django view
with one indexed query through the same middleware stack (``benchmarks/bench_urls.py``).
Target: ≤ 3× the floor.

1. Wall time, in-process: the median of ``--requests`` calls of each, run in alternating
   blocks so that both see the same machine (``national_scale.paired_median_ms``).
2. Instructions per request of this Python process, counted by valgrind's callgrind over
   ``--counted`` requests of each after a warm-up (``--instr-atstart=no``, switched on
   around the loop with ``callgrind_control``). The count does not change with the load or
   the speed of the machine (a shared VM's speed changes twofold within seconds); it leaves
   out the time PostgreSQL and Redis spend on the other side of their sockets, which the
   wall time includes. Skipped, with a line saying so, when valgrind is not installed
   (``apt-get install valgrind``).

Needs a database holding the demo (``seed_demo``, any scale): ``DATABASE_URL``, ``REDIS_URL``
as for ``national_scale.py``. ``--home`` also counts the instructions of the demo enterprise
coordinator's home (information: the page of the load test's first figure). Prints figures
only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import national_scale as bench  # noqa: E402  (sets up Django with the benchmark settings)
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402


def requests_of(kind: str):
    """A function making one request of ``kind`` (``"bare"``, ``"open"`` or ``"home"``: the
    demo enterprise coordinator's home, for information), answering 200 or the
    notification's redirect."""
    if kind == "bare":
        bare = Client(HTTP_HOST="localhost")
        return lambda: bench.get_ok(bare, "/bench/bare/")
    company = bench.membership_of("company")
    client = bench.logged_in_client(company)
    if kind == "home":
        bench.get_ok(client, "/")
        return lambda: bench.get_ok(client, "/")
    url = reverse("notification-open", args=[bench._read_notification(company).pk])
    response = client.get(url)
    if response.status_code != 302:
        raise SystemExit(f"opening a notification answered {response.status_code}")
    return lambda: client.get(url)


def counted_child(kind: str, count: int) -> None:
    """Run under callgrind: warm up, then count ``count`` requests of ``kind`` only."""
    call = requests_of(kind)
    for _ in range(30):
        call()
    pid = str(os.getpid())
    control = shutil.which("callgrind_control")
    subprocess.run([control, "-i", "on", pid], check=True, capture_output=True)  # noqa: S603
    for _ in range(count):
        call()
    subprocess.run([control, "-i", "off", pid], check=True, capture_output=True)  # noqa: S603


def instructions_per_request(kind: str, count: int) -> int:
    """Instructions of this interpreter per request of ``kind``, counted by callgrind."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        subprocess.run(  # noqa: S603 (valgrind on our own interpreter and this file)
            [
                shutil.which("valgrind"),
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--child",
                kind,
                "--counted",
                str(count),
            ],
            check=True,
            capture_output=True,
        )
        totals = [line for line in out.read_text().splitlines() if line.startswith("totals:")]
        return int(totals[0].split()[1]) // count


def main() -> None:
    """Print the wall-time and instruction figures of the lightest page and its floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--counted", type=int, default=100)
    parser.add_argument("--child", choices=["bare", "open", "home"], help=argparse.SUPPRESS)
    parser.add_argument("--home", action="store_true", help="also count the enterprise home's instructions")
    args = parser.parse_args()
    if args.child:
        counted_child(args.child, args.counted)
        return
    print(f"machine speed: sum(range(1_000_000)) in {bench.machine_speed_ms():.1f} ms (best of 5)")
    bare, opened = requests_of("bare"), requests_of("open")
    bare_ms, open_ms = bench.paired_median_ms([bare, opened], args.requests)
    print(f"{'figure':<44}{'ours':>12}{'floor':>12}{'ratio':>8}  target")
    print(
        f"{'lightest authenticated page, wall (ms)':<44}{open_ms:>12.3f}{bare_ms:>12.3f}{open_ms / bare_ms:>8.2f}  ≤ 3×"
    )
    if shutil.which("valgrind") and shutil.which("callgrind_control"):
        floor = instructions_per_request("bare", args.counted)
        ours = instructions_per_request("open", args.counted)
        print(
            f"{'lightest authenticated page, instructions':<44}{ours:>12,}{floor:>12,}{ours / floor:>8.2f}  ≤ 3×"
        )
        if args.home:
            home = instructions_per_request("home", args.counted)
            print(
                f"{'enterprise home, instructions':<44}{home:>12,}{floor:>12,}{home / floor:>8.2f}  information"
            )
    else:
        print("instructions: valgrind is not installed, not counted")


if __name__ == "__main__":
    main()
