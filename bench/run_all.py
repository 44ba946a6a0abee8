"""Every benchmark at 1,000,000 dossiers, then one table of the figures against their targets.

    python bench/run_all.py [--database wif_bench] [--skip-load] [--port 8210] [--redis URL]

Loads the database once (`backoffice_inbox.py --million`, unless --skip-load), builds the
statistics from its events once, then runs: inbox and search selectors with queries drawn at
random, the CSV export, the pages over HTTP (gunicorn), the statistics page, permit issuance,
seal verification and the verification page. Each script prints its own details; the table at
the end gives each figure with the load average at the time it was measured.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(arguments: list[str]) -> dict:
    """Run one bench script, echo its output, and collect its BENCH-RESULT lines."""
    print(f"\n$ {' '.join(['python', *arguments])}", flush=True)
    process = subprocess.Popen(
        [PYTHON, *arguments], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    results = {}
    for line in process.stdout:
        if line.startswith("BENCH-RESULT "):
            results.update(json.loads(line.removeprefix("BENCH-RESULT ")))
        else:
            print(line, end="", flush=True)
    if process.wait():
        print(f"  (exited with status {process.returncode})")
    return results


def row(figure: str, target: str, measured: str, met: bool | None, load: float | None) -> str:
    verdict = "" if met is None else ("met" if met else "NOT met")
    load_text = "" if load is None else f"{load:.1f}"
    return f"| {figure} | {target} | {measured} | {verdict} | {load_text} |"


def table(results: dict) -> list[str]:
    lines = [
        "| figure (1M dossiers) | target | measured | verdict | load average |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, figures in results.get("http", {}).items():
        lines.append(
            row(
                f"{name} over HTTP, p50 / p95",
                "p95 <= 50 ms",
                f"{figures['p50']:.0f} / {figures['p95']:.0f} ms",
                figures["p95"] <= 50,
                figures["load"],
            )
        )
        lines.append(
            row(
                f"{name} over HTTP, 4 clients, p50 / p95",
                "p95 <= 150 ms",
                f"{figures['concurrent_p50']:.0f} / {figures['concurrent_p95']:.0f} ms",
                figures["concurrent_p95"] <= 150,
                figures["load"],
            )
        )
    if "inbox_selector" in results:
        selector = results["inbox_selector"]
        lines.append(
            row(
                "inbox selector alone, p50 / p95",
                "-",
                f"{selector['p50']:.1f} / {selector['p95']:.1f} ms",
                None,
                selector["load"],
            )
        )
    if "search" in results:
        search = results["search"]
        lines.append(
            row(
                "search, random queries: p95 / max / found",
                "100 ms / 300 ms / 95 %",
                f"{search['p95']:.0f} / {search['max']:.0f} ms / {search['found']:.0%}",
                search["p95"] <= 100 and search["max"] <= 300 and search["found"] >= 0.95,
                search["load"],
            )
        )
        for kind, figures in search["by_kind"].items():
            target_found = 0.8 if "typo" in kind else 0.95
            lines.append(
                row(
                    f"  search: {kind}, p95 / max / found",
                    f"found >= {target_found:.0%}",
                    f"{figures['p95']:.0f} / {figures['max']:.0f} ms / {figures['found']:.0%}",
                    figures["found"] >= target_found,
                    None,
                )
            )
    if "export" in results:
        export = results["export"]
        lines.append(
            row(
                "CSV export of every dossier",
                "<= 60 s, <= 150 MB",
                f"{export['seconds']:.0f} s, {export['peak_mb']:.0f} MB",
                export["seconds"] <= 60 and export["peak_mb"] <= 150,
                export["load"],
            )
        )
    if "stats" in results:
        stats = results["stats"]
        worst = max(stats["uncached"], key=lambda name: stats["uncached"][name]["p95"])
        lines.append(
            row(
                f"statistics page uncached, p95 of the worst filter ({worst})",
                "<= 150 ms",
                f"{stats['worst_p95']:.0f} ms",
                stats["worst_p95"] <= 150,
                stats["load"],
            )
        )
    if "permit_pdf" in results:
        pdf = results["permit_pdf"]
        lines.append(
            row(
                "permit issuance (render + seal + PAdES), median wall / CPU",
                "<= 150 ms",
                f"{pdf['wall_median']:.0f} / {pdf['cpu_median']:.0f} ms (render {pdf['render_median']:.0f} ms)",
                pdf["wall_median"] <= 150,
                pdf["load"],
            )
        )
    if "seal" in results:
        lines.append(
            row(
                "seal verification vs raw ES256, same run (CPU time)",
                ">= 80 %",
                f"{results['seal']['verify_ratio']:.0%}",
                results["seal"]["verify_ratio"] >= 0.8,
                results["seal"]["load"],
            )
        )
    if "verify_page" in results:
        page = results["verify_page"]
        lines.append(
            row(
                "/V/ page vs bare view (median rounds)",
                ">= 80 %",
                f"{page['ratio']:.0%}",
                page["ratio"] >= 0.8,
                page["load"],
            )
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "wif_bench"))
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8210")))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--skip-load", action="store_true", help="reuse the loaded database")
    parser.add_argument("--no-stats-rebuild", action="store_true", help="reuse the statistics already built")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    database = ["--database", args.database, "--server", args.server]
    results = {}
    if not args.skip_load:
        run(["bench/backoffice_inbox.py", "--million", *database, "--no-export", "--repeat", "2"])
    else:  # a database loaded by an earlier version: brought to this version's schema first
        print(f"\n$ manage.py migrate (on {args.database})", flush=True)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": f"{args.server}/{args.database}"},
            check=True,
        )
    results |= run(["bench/backoffice_inbox.py", "--skip-load", *database, "--repeat", str(args.repeat)])
    results |= run(
        [
            "bench/http_pages.py",
            *database,
            "--port",
            str(args.port),
            "--repeat",
            str(2 * args.repeat),
            "--json",
        ]
        + (["--redis", args.redis] if args.redis else [])
    )
    stats = ["bench/stats_bench.py", "--skip-load", *database, "--no-incremental", "--repeat", "20"]
    results |= run(stats + (["--no-rebuild"] if args.no_stats_rebuild else []))
    results |= run(["bench/permits_pdf.py", "40"])
    results |= run(["bench/permits_seal.py", "2000"])
    results |= run(["bench/permits_verify_page.py", "--port", str(args.port + 1)])
    print("\n" + "\n".join(table(results)))


if __name__ == "__main__":
    main()
