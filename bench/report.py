"""Renders docs/benchmarks.md and its charts (docs/img/*.png) from the results the
benchmark scripts leave in bench/results/: python.json (bench/python_bench.py), js.json
(bench/js/), hit_ratio.json (core/examples/hit_ratio.rs) and hit_ratio_peers.json
(bench/hit_ratio_peers.py). Ratios are the headline: each
is polycache's speed over the peer's, measured in the same run on the same machine.

    python bench/report.py [--quick]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os

from django_sizes import sizes_section
from hit_ratio_report import hit_ratio_section

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
DOCS = os.path.join(ROOT, "docs")
IMG = os.path.join(DOCS, "img")

# Targets from issue 6: polycache's speed over the peer's, at least this much.
DJANGO_TARGETS = {
    ("small", "LocMemCache"): 5.0,
    ("drf", "LocMemCache"): 2.0,
    ("small", "theine"): 1.0,
    ("drf", "theine"): 1.0,
    ("small", "django-redis"): 20.0,
    ("drf", "django-redis"): 20.0,
}


def load(name: str):
    path = os.path.join(RESULTS, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def kind(value_name: str) -> str:
    return "drf" if value_name.startswith("DRF") else "small"


def fmt_rate(ops: float) -> str:
    return f"{ops / 1e6:.2f} M" if ops >= 1e6 else f"{ops / 1e3:.0f} k"


def verdict(ratio: float, target: float | None) -> str:
    if target is None:
        return f"{ratio:.2f}x"
    mark = "meets" if ratio >= target else f"**misses** (by {target / ratio:.2f}x)"
    return f"{ratio:.2f}x (target {target:g}x: {mark})"


def bar_chart(path: str, title: str, labels: list[str], series: dict[str, list[float]], ylabel: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4.5))
    n = len(series)
    width = 0.8 / max(n, 1)
    for i, (name, vals) in enumerate(series.items()):
        ax.bar([x + i * width for x in range(len(labels))], vals, width, label=name)
    ax.set_xticks([x + width * (n - 1) / 2 for x in range(len(labels))])
    ax.set_xticklabels(labels, rotation=15, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_yscale("log")
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def django_section(py: dict, lines: list[str]) -> None:
    lines += ["## Django cache API", "",
              f"Every backend through `django.core.cache.caches`, `MAX_ENTRIES` 100,000. "
              f"Medians of {py['rounds']} rounds; network backends on 127.0.0.1 (redis-server, memcached).", ""]
    failures = py["django"].get("failures", {})
    for name, err in failures.items():
        lines.append(f"- **{name} failed** during the run (its rows use the rounds that completed): `{err}`")
    if failures:
        lines.append("")
    iso = py["django"].get("isolation", {})
    if iso:
        lines += ["Isolation (mutating a value after `set` or `get` leaves the cached value as it was; "
                  "checked in the run): " + ", ".join(f"{n}: {'yes' if ok else '**no**'}" for n, ok in iso.items())
                  + ". A backend without it hands out the cached object itself and skips the copy the others pay for.", ""]
    for vname, backends in py["django"].items():
        if vname in ("failures", "isolation"):
            continue
        poly = backends["polycache"]
        workloads = list(poly)
        lines += [f"### {vname}", "", "| backend | " + " | ".join(workloads) + " |",
                  "|---|" + "---:|" * len(workloads)]
        for name, w in backends.items():
            lines.append(f"| {name} | " + " | ".join(fmt_rate(w[k]) + "/s" for k in workloads) + " |")
        lines += ["", "polycache's speed over each peer (higher is better):", "",
                  "| peer | " + " | ".join(workloads) + " |", "|---|" + "---:|" * len(workloads)]
        for name, w in backends.items():
            if name == "polycache":
                continue
            lines.append(f"| {name} | " + " | ".join(f"{poly[k] / w[k]:.1f}x" for k in workloads) + " |")
        lines.append("")
        chart = f"django-{kind(vname)}-{vname.split()[1] if kind(vname) == 'small' else 'drf'}.png"
        bar_chart(os.path.join(IMG, chart), f"Django cache API, {vname}: operations per second",
                  workloads, {n: [w[k] for k in workloads] for n, w in backends.items()}, "ops/s (log)")
        lines += [f"![{vname}](img/{chart})", ""]
    lines += ["### Targets (get-hit)", ""]
    for vname, backends in py["django"].items():
        if vname in ("failures", "isolation"):
            continue
        poly = backends["polycache"]["get-hit"]
        for peer in ("LocMemCache", "theine", "django-redis"):
            if peer in backends:
                target = DJANGO_TARGETS.get((kind(vname), peer))
                lines.append(f"- {vname}, vs {peer}: {verdict(poly / backends[peer]['get-hit'], target)}")
    lines.append("")


def plain_section(py: dict, lines: list[str]) -> None:
    plain = py["plain"]
    workloads = list(next(iter(plain.values())))
    lines += ["## Python without Django", "",
              "Each cache used the way its documentation shows, 100,000 entries max, 10,000 string keys; "
              "\"TTL\" rows keep a 60 s time to live on every entry.", "",
              "| cache | " + " | ".join(workloads) + " |", "|---|" + "---:|" * len(workloads)]
    for name, w in plain.items():
        lines.append(f"| {name} | " + " | ".join(fmt_rate(w[k]) + "/s" for k in workloads) + " |")
    ours = plain["polycache.Cache (TTL)"]
    ref = plain.get("cachebox.TTLCache")
    if ref:
        r = ours["get-hit"] / ref["get-hit"]
        lines += ["", f"Target: within 1.25x of cachebox on get with TTL on, i.e. a speed ratio of at least "
                      f"0.80: polycache/cachebox = {r:.2f} ({'meets' if r >= 0.8 else '**misses**'})."]
    chart = "python-plain.png"
    bar_chart(os.path.join(IMG, chart), "Python caches without Django: operations per second", workloads,
              {n: [w[k] for k in workloads] for n, w in plain.items()}, "ops/s (log)")
    lines += ["", f"![plain Python caches](img/{chart})", ""]


def memory_section(py: dict, lines: list[str]) -> None:
    lines += ["## Memory", "",
              "Growth of the process's resident memory for 100,000 entries (each a fresh dict of ~200 bytes "
              "pickled: an int, a 120-character str, a list of two str, a short str; bench/rows.py), each backend "
              "in a fresh process. The default (`VALUES=compact`) keeps such values in polycache's own encoding "
              "(bindings-python/src/compact.rs: field names as indexes into a table of the store's, dicts of the "
              "same keys as one shape, strings of 65-256 bytes in a Huffman code the store learns, no pickle "
              "framing); `VALUES=copy` keeps them as copies of their objects, faster to read small rows and "
              "larger; `VALUES=pickle` keeps them pickled as LocMemCache does; `COMPRESS_MIN_LENGTH=128` also keeps "
              "pickles or compact encodings of 128 bytes or more compressed, each with LZ4 against a dictionary of "
              "the first 1 KB the store compressed or with a Huffman code learned from the same bytes, whichever is "
              "smaller (bindings-python/src/compress.rs, entropy.rs). Rows: each title is one sentence rotated, "
              "so rows share most of their text; varied rows: words drawn at random from 5,000 made-up ones, so "
              "rows share their structure only. What compression costs a set and a get: "
              "`python bench/django_cost.py` (bench/misses.md).", ""]
    for key, title in (("memory_100k_entries", "Rows"), ("memory_100k_varied_entries", "Varied rows")):
        mem = py.get(key)
        if not mem:
            continue
        lines += [f"{title}:", "", "| backend | MiB |", "|---|---:|"]
        for name, b in mem.items():
            lines.append(f"| {name} | {b / 2**20:.1f} |")
        lines.append("")
        for name in [n for n in mem if n.startswith("polycache")]:
            r = mem[name] / mem["LocMemCache"]
            lines.append(f"- {name} / LocMemCache = {r:.2f} (target <= 0.6: {'meets' if r <= 0.6 else '**misses**'}).")
        lines.append("")


def js_section(js: dict, lines: list[str]) -> None:
    lines += ["## JavaScript", "", js.get("summary_markdown", ""), ""]
    for table in js.get("tables_markdown", []):
        lines += [table, ""]


def replace_section(heading: str, lines: list[str], flag: str, needs: str, where: str = DOCS) -> None:
    """Replaces the section `heading` of `where`/benchmarks.md (docs/, or bench/results for
    a smoke run's page) up to the next "## " heading with `lines`, leaving the rest as it was."""
    out = os.path.join(where, "benchmarks.md")
    with open(out) as f:
        text = f.read()
    start = text.find(f"\n{heading}\n")
    if start < 0:
        raise SystemExit(f"bench/report.py {flag}: {out} has no {needs} section")
    end = text.find("\n## ", start + 1)
    text = text[:start + 1] + "\n".join(lines) + (text[end:] if end >= 0 else "\n")
    with open(out, "w") as f:
        f.write(text)
    print(f"rewrote the {needs} section of {out}")


def js_only() -> None:
    """Re-renders the "## JavaScript" section from bench/results/js.json: `make bench-js`
    alone refreshes the page's JS tables."""
    js = load("js.json")
    if not js:
        raise SystemExit("bench/report.py --js-only: no bench/results/js.json (run make bench-js first)")
    lines: list[str] = []
    js_section(js, lines)
    replace_section("## JavaScript", lines, "--js-only", "JavaScript")


def hit_ratio_only(where: str = DOCS) -> None:
    """Re-renders the "## Hit ratio" section (and its chart) from bench/results/hit_ratio.json
    and hit_ratio_peers.json: `make bench-hit-ratio` alone refreshes it. With --quick, in the
    smoke run's page (bench/results/benchmarks.md) instead."""
    hr = load("hit_ratio.json")
    if not hr:
        raise SystemExit("bench/report.py --hit-ratio-only: no bench/results/hit_ratio.json (run make bench-hit-ratio)")
    lines: list[str] = []
    img = os.path.join(where, "img")
    os.makedirs(img, exist_ok=True)
    hit_ratio_section(hr, load("hit_ratio_peers.json"), lines, img)
    replace_section("## Hit ratio", lines, "--hit-ratio-only", "Hit ratio", where)


def ran_at(name: str) -> str:
    """When the bench wrote bench/results/NAME (its file's time), so a re-render keeps the run's time."""
    mtime = os.path.getmtime(os.path.join(RESULTS, name))
    return f"{datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc):%Y-%m-%d %H:%M}"


def python_only() -> None:
    """Replaces docs/benchmarks.md's Python sections (from "## Django cache API" up to
    "## JavaScript") with ones rendered from bench/results/python.json, and its copy of
    bench/misses.md, leaving the rest as it was: `make bench-python` alone refreshes the
    page's Python tables."""
    py = load("python.json")
    if not py or "django" not in py:
        raise SystemExit("bench/report.py --python-only: no full bench/results/python.json (run make bench-python)")
    out = os.path.join(DOCS, "benchmarks.md")
    with open(out) as f:
        text = f.read()
    start, end = text.find("\n## Django cache API\n"), text.find("\n## JavaScript\n")
    if start < 0 or end < start:
        raise SystemExit(f"bench/report.py --python-only: {out} has no Python sections before its JavaScript one")
    lines: list[str] = []
    django_section(py, lines)
    plain_section(py, lines)
    memory_section(py, lines)
    if "django_get_by_size" in py:
        sizes_section(py, lines)
    m = py["machine"]
    lines += [f"(Python sections: {m['cores']} cores, Python {m['python']}, Django {m['django']}, "
              f"{ran_at('python.json')} UTC, `{py['command']}`.)", ""]
    text = text[:start + 1] + "\n".join(lines) + text[end:]
    # The reading of the figures (bench/misses.md) is rendered again too, as the full report does.
    misses = os.path.join(HERE, "misses.md")
    m_start, m_end = text.find("\n## Where polycache misses a target"), text.find("\n## Two tiers\n")
    if os.path.exists(misses) and 0 <= m_start < m_end:
        with open(misses) as f:
            text = text[:m_start + 1] + f.read() + "\n" + text[m_end:]
    with open(out, "w") as f:
        f.write(text)
    print(f"rewrote the Python sections of {out}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="render the smoke-run results to bench/results/ only")
    ap.add_argument("--js-only", action="store_true",
                    help="re-render only the JavaScript section of docs/benchmarks.md from bench/results/js.json")
    ap.add_argument("--hit-ratio-only", action="store_true",
                    help="re-render only the Hit ratio section of docs/benchmarks.md from bench/results/hit_ratio*.json")
    ap.add_argument("--python-only", action="store_true",
                    help="re-render only the Python sections of docs/benchmarks.md from bench/results/python.json")
    args = ap.parse_args()
    if args.js_only:
        js_only()
        return
    if args.python_only:
        python_only()
        return
    if args.hit_ratio_only:
        hit_ratio_only(RESULTS if args.quick else DOCS)
        return
    suffix = "-quick" if args.quick else ""
    global IMG
    if args.quick:
        IMG = os.path.join(RESULTS, "img")
    os.makedirs(IMG, exist_ok=True)
    py = load(f"python{suffix}.json")
    js = load(f"js{suffix}.json")
    hr = load("hit_ratio.json")
    lines = ["# Benchmarks", "",
             f"Generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `make bench` "
             "(`bench/python_bench.py`, `bench/js/`, `bench/rust/benches/store.rs`, then `bench/report.py`).", ""]
    if py:
        m = py["machine"]
        lines += [f"Machine: {m['cores']} cores, {m['platform']}; Python {m['python']}, Django {m['django']}, "
                  f"polycache {m['polycache']}. Command: `{py['command']}`.", ""]
        if "django" in py:
            django_section(py, lines)
            plain_section(py, lines)
            memory_section(py, lines)
        if "django_get_by_size" in py:
            sizes_section(py, lines)
    if js:
        js_section(js, lines)
    if hr:
        hit_ratio_section(hr, load("hit_ratio_peers.json"), lines, IMG)
    lines += ["## Rust", "", "See [bench-rust.md](bench-rust.md) (criterion, polycache's store beside `lru`, "
              "`quick_cache`, `moka` and `schnellru`).", ""]
    misses = os.path.join(HERE, "misses.md")
    if os.path.exists(misses):
        with open(misses) as f:
            lines += [f.read()]
    if os.path.exists(os.path.join(DOCS, "bench-tiered.md")):
        lines += ["## Two tiers", "", "See [bench-tiered.md](bench-tiered.md).", ""]
    out = os.path.join(RESULTS if args.quick else DOCS, "benchmarks.md")
    with open(out, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
