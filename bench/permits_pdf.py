"""Permit issuance time: seal + HTML render (WeasyPrint) + PAdES signature, median and p95.

    python bench/permits_pdf.py [runs]

Target (issue 5): median <= 150 ms. Runs in one process, as a worker does (fonts loaded once).
"""

import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.site import django_setup, site_environment


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(runs: int) -> None:
    django_setup(site_environment())
    from workinfrance.permits.models import Permit
    from workinfrance.permits.pades import pades_sign
    from workinfrance.permits.pdf import permit_pdf_render
    from workinfrance.permits.services import permit_qr_text, permit_seal

    permit = Permit.objects.select_related("unit", "category").first()
    # Wall-clock time, and CPU time of this process: on a shared machine the second is what
    # the same code costs when it has a core to itself.
    clocks = {"wall": time.perf_counter, "cpu": time.process_time}
    stages = {(clock, stage): [] for clock in clocks for stage in ("seal", "render", "pades", "total")}
    for run in range(runs + 3):
        marks = []
        marks.append({clock: read() for clock, read in clocks.items()})
        permit_seal(permit)
        marks.append({clock: read() for clock, read in clocks.items()})
        rendered = permit_pdf_render(permit, qr_text=permit_qr_text(permit))
        marks.append({clock: read() for clock, read in clocks.items()})
        signed = pades_sign(rendered, reason="bench", location="bench")
        marks.append({clock: read() for clock, read in clocks.items()})
        if run < 3:
            continue  # warm-up: first font loading, first imports
        for clock in clocks:
            for stage, (begin, end) in zip(
                ("seal", "render", "pades"), itertools.pairwise(marks), strict=True
            ):
                stages[clock, stage].append(end[clock] - begin[clock])
            stages[clock, "total"].append(marks[-1][clock] - marks[0][clock])
    print(
        f"Permit PDF issuance, {runs} runs (after 3 warm-up), PDF {len(signed)} bytes, load {os.getloadavg()[0]:.1f}"
    )
    for (clock, stage), values in stages.items():
        print(
            f"  {clock:<4} {stage:<7} median {statistics.median(values) * 1000:7.1f} ms"
            f"   p95 {percentile(values, 0.95) * 1000:7.1f} ms"
        )
    for clock in clocks:
        verdict = "met" if statistics.median(stages[clock, "total"]) <= 0.150 else "NOT met"
        print(f"  target median <= 150 ms ({clock}): {verdict}")
    result = {
        "wall_median": statistics.median(stages["wall", "total"]) * 1000,
        "cpu_median": statistics.median(stages["cpu", "total"]) * 1000,
        "render_median": statistics.median(stages["wall", "render"]) * 1000,
        "load": os.getloadavg()[0],
    }
    print("BENCH-RESULT " + json.dumps({"permit_pdf": result}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
