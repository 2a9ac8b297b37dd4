"""Measure lamina against its peers in one run and write benchmarks/RESULTS.md.

    python benchmarks/run.py [--only T,T1,M,I,O] [--peer-python PATH] [--lamina-python PATH]

Workloads (see common.WORKLOADS): T tutorial MLP, T1 the same at batch size 1, M MNIST-shaped
MLP (seconds per epoch and the GEMM lower bound), I cold import time, O eager op overhead.
Every measurement runs in its own subprocess so each framework is imported alone; lamina is
measured from this checkout's ``src/`` with ``--lamina-python``, peers (TensorFlow, Keras 3 on
JAX, PyTorch) with ``--peer-python``; peers that are not installed are skipped with a note.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from common import (  # noqa: E402
    WORKLOADS,
    blas_info,
    cpu_model,
    make_digits_split,
    python_info,
    repo_root,
)

ALL = ["T", "T1", "M", "I", "O"]
LABELS = {
    "lamina": "lamina",
    "numpy": "NumPy, hand-written loop",
    "tf.keras": "tf.keras (TensorFlow backend)",
    "keras-jax": "Keras 3 on JAX",
    "torch": "PyTorch, idiomatic loop",
    "torch-1t": "PyTorch, same loop, 1 thread",
    "gemm": "GEMM lower bound (NumPy)",
}
FRAMEWORKS = {
    "T": ["lamina", "numpy", "tf.keras", "keras-jax", "torch", "torch-1t"],
    "T1": ["lamina", "numpy", "tf.keras", "keras-jax", "torch", "torch-1t"],
    "M": ["lamina", "gemm", "numpy", "tf.keras", "keras-jax", "torch", "torch-1t"],
    "O": ["lamina", "numpy", "tf.keras", "torch"],
}
IMPORTS = [
    ("lamina", "lamina"),
    ("tensorflow", "tf.keras"),
    ("keras", "tf.keras"),
    ("torch", "torch"),
]


# --------------------------------------------------------------------------------- running


def worker_env(framework: str) -> dict:
    env = dict(os.environ)
    for name in ("KERAS_BACKEND", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "PYTHONPATH"):
        env.pop(name, None)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if framework == "lamina":
        env["PYTHONPATH"] = os.path.join(repo_root(), "src")
    elif framework == "tf.keras":
        env["KERAS_BACKEND"] = "tensorflow"
    elif framework == "keras-jax":
        env["KERAS_BACKEND"] = "jax"
    return env


def interpreter(framework: str, args) -> str:
    return args.lamina_python if framework in ("lamina", "numpy", "gemm") else args.peer_python


def run_worker(framework: str, job: dict, args) -> dict:
    job = dict(job, framework=framework)
    cmd = [interpreter(framework, args), os.path.join(HERE, "worker.py"), json.dumps(job)]
    try:
        proc = subprocess.run(
            cmd,
            env=worker_env(framework),
            capture_output=True,
            text=True,
            timeout=args.timeout,
            cwd=HERE,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout} s"}
    except OSError as exc:
        return {"skipped": f"cannot run {cmd[0]}: {exc}"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    tail = [line for line in proc.stderr.strip().splitlines() if line.strip()][-3:]
    return {"error": f"exit {proc.returncode}: " + " / ".join(s.strip() for s in tail)}


def import_time(python: str, module: str, framework: str, n: int) -> dict:
    code = (
        f"import time; t = time.perf_counter(); import {module}; "
        "print('IMPORT', time.perf_counter() - t)"
    )
    check = subprocess.run(
        [python, "-c", f"import importlib.util as u; print(u.find_spec('{module}') is not None)"],
        env=worker_env(framework),
        capture_output=True,
        text=True,
    )
    if check.stdout.strip() != "True":
        return {"skipped": f"{module} is not installed in {python}"}
    times = []
    for i in range(n + 1):  # the first run warms the file cache and is dropped
        proc = subprocess.run(
            [python, "-c", code], env=worker_env(framework), capture_output=True, text=True
        )
        line = [s for s in proc.stdout.splitlines() if s.startswith("IMPORT ")]
        if proc.returncode or not line:
            return {"error": proc.stderr.strip().splitlines()[-1:]}
        if i:
            times.append(float(line[0].split()[1]))
    return {"seconds": statistics.median(times), "all_seconds": times, "python": python}


# ----------------------------------------------------------------------------- formatting


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 0.1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"


def note_of(result: dict) -> str:
    if "skipped" in result:
        return "skipped: " + result["skipped"]
    if "error" in result:
        return "FAILED: " + str(result["error"]).replace("|", "/")
    return ""


def ratio(peer: dict, base: dict, key: str = "seconds") -> float | None:
    if key in peer and key in base and base[key]:
        return peer[key] / base[key]
    return None


def logs_text(result: dict) -> str:
    logs = result.get("final_logs") or {}
    keys = [k for k in ("loss", "accuracy", "val_loss", "val_accuracy") if k in logs]
    return ", ".join(f"{k} {logs[k]:.3f}" for k in keys)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def fit_section(name: str, results: dict) -> list[str]:
    spec = WORKLOADS[name]
    base = results.get("lamina", {})
    rows = []
    for fw, res in results.items():
        steps = None
        if "seconds" in res:
            per_epoch = math.ceil(1149 / spec["batch_size"])
            steps = per_epoch * res.get("epochs", spec["epochs"])
        rows.append(
            [
                LABELS[fw],
                fmt_s(res.get("seconds")),
                f"{res['seconds'] / steps * 1e3:.3f} ms" if steps else "-",
                fmt_ratio(ratio(res, base)),
                note_of(res) or logs_text(res),
            ]
        )
    out = [f"## {name}: {spec['title']}", ""]
    out += [
        "Wall time of `fit` on a freshly built and compiled model (best of the repeats), "
        "training rows 1,149, validation rows 288. `x lamina` = that time / lamina's time.",
        "",
    ]
    out += table(["framework", "fit wall time", "per step", "x lamina", "final logs / note"], rows)
    return out + [""]


def m_section(results: dict) -> list[str]:
    spec = WORKLOADS["M"]
    base = results.get("lamina", {})
    rows = []
    for fw, res in results.items():
        note = note_of(res) or logs_text(res)
        if fw == "gemm" and "seconds" in res:
            rate = res["gemm_flops_per_s"] / 1e9
            note = (
                f"{res['flops'] / 1e9:.1f} GFLOP per epoch / {rate:.0f} GFLOP/s (2048x2048 sgemm)"
            )
            rows.append([LABELS[fw], fmt_s(res["seconds"]), fmt_ratio(ratio(res, base)), note])
            alone = {"seconds": res["matmuls_seconds"]}
            rows.append(
                [
                    "the epoch's matrix products alone (NumPy)",
                    fmt_s(alone["seconds"]),
                    fmt_ratio(ratio(alone, base)),
                    "each batch's forward, weight- and input-gradient products at their real shapes",
                ]
            )
            continue
        rows.append([LABELS[fw], fmt_s(res.get("seconds")), fmt_ratio(ratio(res, base)), note])
    out = [f"## M: {spec['title']}", ""]
    out += [
        "Seconds per epoch (the best of the timed epochs, one `fit` call each, after a one-epoch warm-up fit on 1,280 "
        "rows); synthetic uniform data, so only speed is meaningful. `x lamina` = that time / "
        "lamina's time.",
        "",
    ]
    out += table(["framework", "s / epoch", "x lamina", "note"], rows)
    return out + [""]


def i_section(results: dict) -> list[str]:
    base = results.get("lamina", {})
    rows = [
        [f"`import {mod}`", fmt_s(res.get("seconds")), fmt_ratio(ratio(res, base)), note_of(res)]
        for mod, res in results.items()
    ]
    out = ["## I: cold import", ""]
    out += [
        "Median over fresh interpreter processes of the time `import X` takes inside the process "
        "(after one discarded run to warm the file cache).",
        "",
    ]
    return out + table(["import", "time", "x lamina", "note"], rows) + [""]


def o_section(results: dict) -> list[str]:
    base = results.get("lamina", {})
    rows = []
    for fw, res in results.items():
        label = LABELS[fw].replace(", hand-written loop", " (no tape; floor)")
        label = label.replace("tf.keras (TensorFlow backend)", "TensorFlow eager")
        label = label.replace(", idiomatic loop", "")
        rows.append(
            [
                label,
                f"{res['add_us']:.2f} us" if "add_us" in res else "-",
                fmt_ratio(ratio(res, base, "add_us")),
                f"{res['tape_step_us']:.1f} us" if "tape_step_us" in res else "-",
                fmt_ratio(ratio(res, base, "tape_step_us")),
                note_of(res),
            ]
        )
    out = ["## O: eager op overhead", ""]
    out += [
        "On 100-element float32 tensors: `x + y`, and one hand-written SGD step "
        "(`with GradientTape(): loss = reduce_sum((w*x - y)**2)`, `tape.gradient`, "
        "`w.assign_sub(0.01*g)`). Best-of-3 mean per call.",
        "",
    ]
    header = ["framework", "x + y", "x lamina", "tape step", "x lamina", "note"]
    return out + table(header, rows) + [""]


def targets_section(results: dict) -> list[str]:
    """The lead's targets, each with the measured value and whether it is met."""
    t, m, i = (results.get(k, {}) for k in ("T", "M", "I"))
    gemm = m.get("gemm", {})
    alone = {"seconds": gemm["matmuls_seconds"]} if "matmuls_seconds" in gemm else {}
    peers = [m.get(fw, {}) for fw in ("tf.keras", "keras-jax", "torch")]
    fastest = min((p for p in peers if "seconds" in p), key=lambda p: p["seconds"], default={})
    # The issues' targets and the developers' guide's (stricter for T, different for M).
    checks = [
        (
            "T: tf.keras time / lamina time >= 30 (issue: >= 20)",
            ratio(t.get("tf.keras", {}), t.get("lamina", {})),
            lambda v: v >= 30,
        ),
        (
            "T: PyTorch time / lamina time >= 3.5 (issue: >= 3)",
            ratio(t.get("torch", {}), t.get("lamina", {})),
            lambda v: v >= 3.5,
        ),
        (
            "T (context, no target): PyTorch with torch.set_num_threads(1) / lamina",
            ratio(t.get("torch-1t", {}), t.get("lamina", {})),
            None,
        ),
        (
            "T: lamina time / NumPy hand-written loop time <= 1.5",
            ratio(t.get("lamina", {}), t.get("numpy", {})),
            lambda v: v <= 1.5,
        ),
        (
            "M: lamina s/epoch / fastest peer's (tf.keras, Keras/JAX, PyTorch) <= 0.8",
            ratio(m.get("lamina", {}), fastest),
            lambda v: v <= 0.8,
        ),
        (
            "M: lamina s/epoch / its matrix products alone <= 1.5",
            ratio(m.get("lamina", {}), alone),
            lambda v: v <= 1.5,
        ),
        (
            "M (issue): lamina s/epoch / GEMM lower bound <= 1.2",
            ratio(m.get("lamina", {}), gemm),
            lambda v: v <= 1.2,
        ),
        (
            "M (context, no target): the matrix products alone / GEMM lower bound",
            ratio(alone, gemm),
            None,
        ),
        (
            "M: lamina s/epoch / PyTorch s/epoch <= 1",
            ratio(m.get("lamina", {}), m.get("torch", {})),
            lambda v: v <= 1.0,
        ),
    ]
    rows = []
    for label, value, ok in checks:
        met = "-" if value is None or ok is None else ("yes" if ok(value) else "**no**")
        rows.append([label, fmt_ratio(value) if value is not None else "not measured", met])
    seconds = i.get("lamina", {}).get("seconds")
    met = "-" if seconds is None else ("yes" if seconds < 0.3 else "**no**")
    rows.append(["I: `import lamina` < 0.3 s", fmt_s(seconds) if seconds else "not measured", met])
    return ["## Targets", ""] + table(["target", "measured", "met"], rows) + [""]


def versions_section(results: dict) -> list[str]:
    seen: dict[str, dict] = {}
    for name, per_fw in results.items():
        if name == "I":
            continue
        for fw, res in per_fw.items():
            if "version" in res and fw not in seen:
                seen[fw] = res
    rows = []
    for fw, res in seen.items():
        blas = "; ".join(
            " ".join(str(lib.get(k, "")) for k in ("internal_api", "version", "architecture"))
            + f" ({lib.get('num_threads', '?')} threads)"
            for lib in res.get("blas", [])
            if "internal_api" in lib
        )
        rows.append(
            [
                LABELS[fw],
                res["version"],
                f"{res['python']} `{res['executable']}`",
                res["numpy"],
                blas,
            ]
        )
    return (
        ["## Versions", ""]
        + table(["framework", "version", "Python", "NumPy", "BLAS / thread pools loaded"], rows)
        + [""]
    )


def git_commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "-C", repo_root(), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", repo_root(), "status", "--porcelain", "--untracked-files=no", "src"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        return sha + (" (src/ has uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


BLAS_APIS = ("openblas", "mkl", "blis", "accelerate", "flexiblas")


def report(results: dict, args, started: datetime.datetime, load: tuple, end_load: tuple) -> str:
    # The BLAS lamina's NumPy loads, as seen by a worker of the lamina interpreter.
    lamina_side = [
        res
        for per_fw in results.values()
        for fw, res in per_fw.items()
        if fw in ("lamina", "numpy", "gemm") and "blas" in res
    ]
    libs = lamina_side[0]["blas"] if lamina_side else blas_info()
    lib = [b for b in libs if b.get("internal_api") in BLAS_APIS]
    blas = (
        "; ".join(
            f"{b['internal_api']} {b.get('version', '')} {b.get('architecture', '')} "
            f"({b.get('num_threads')} threads)"
            for b in lib
        )
        or "unknown"
    )
    cores = os.cpu_count()
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    lines = [
        "# lamina benchmarks",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC at commit {git_commit()} with "
        f"`python benchmarks/run.py {' '.join(args.argv)}`".rstrip()
        + ". All numbers come from "
        "this one run on this one machine; lower times are better.",
        "",
        f"- CPU: {cpu_model()}, {cores} cores ({affinity} usable)",
        f"- Load average (1/5/15 min) at start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}, at the "
        f"end {end_load[0]:.2f} / {end_load[1]:.2f} / {end_load[2]:.2f}; the run took "
        f"{(datetime.datetime.now(datetime.timezone.utc) - started).total_seconds() / 60:.0f} min. "
        "A load above the core count means other work shared the cores: multi-threaded BLAS and "
        "OpenMP pools (NumPy, PyTorch) then slow down far more than single-threaded code.",
        f"- BLAS of lamina's NumPy: {blas}",
        f"- lamina interpreter: `{args.lamina_python}`; peer interpreter: `{args.peer_python}`",
        "",
    ]
    lines += targets_section(results)
    for name in ALL:
        if name not in results:
            continue
        if name in ("T", "T1"):
            lines += fit_section(name, results[name])
        elif name == "M":
            lines += m_section(results[name])
        elif name == "I":
            lines += i_section(results[name])
        else:
            lines += o_section(results[name])
    lines += versions_section(results)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- main


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(ALL), help="workloads, e.g. T,M (default all)")
    parser.add_argument("--peer-python", default=sys.executable, help="interpreter with the peers")
    parser.add_argument("--lamina-python", default=sys.executable, help="interpreter for lamina")
    parser.add_argument("--repeats", type=int, default=3, help="fresh-model fits for T and T1")
    parser.add_argument("--m-epochs", type=int, default=3, help="timed epochs for M")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per measurement")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: few epochs, no RESULTS.md unless --out"
    )
    parser.add_argument("--out", help="markdown file to write (default benchmarks/RESULTS.md)")
    args = parser.parse_args(argv)
    args.argv = list(argv)
    args.only = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = [w for w in args.only if w not in ALL]
    if unknown:
        parser.error(f"--only: unknown workload(s) {unknown}; expected some of {ALL}")
    if args.out is None and not args.quick:
        args.out = os.path.join(HERE, "RESULTS.md")
    return args


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    started = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    print(f"lamina benchmarks: {', '.join(args.only)}; {cpu_model()}, {os.cpu_count()} cores")
    print(f"  lamina: {args.lamina_python} ({python_info()['python']})  peers: {args.peer_python}")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data_path = os.path.join(tmp, "digits_t.npz")
        if {"T", "T1"} & set(args.only):
            source = make_digits_split(data_path)
            print(f"  T data from {source}")
        for name in args.only:
            results[name] = {}
            if name == "I":
                for module, framework in IMPORTS:
                    python = args.lamina_python if module == "lamina" else args.peer_python
                    res = import_time(python, module, framework, 2 if args.quick else 5)
                    results[name][module] = res
                    print(
                        f"{name:3} import {module:12} {fmt_s(res.get('seconds')):>10}  {note_of(res)}"
                    )
                continue
            job = {"workload": name, "data_path": data_path, "repeats": args.repeats}
            if name == "M":
                job["epochs"] = args.m_epochs
            if args.quick:
                job.update(repeats=1, n_ops=2000)
                job["epochs"] = {"T": 10, "T1": 1, "M": 1}.get(name)
                if name == "M":
                    job["rows"] = 12800
            for framework in FRAMEWORKS[name]:
                res = run_worker(framework, job, args)
                results[name][framework] = res
                shown = (
                    f"{res['add_us']:.2f} us/add, {res['tape_step_us']:.1f} us/tape step"
                    if "add_us" in res
                    else fmt_s(res.get("seconds"))
                )
                print(f"{name:3} {LABELS[framework]:32} {shown:>12}  {note_of(res)}", flush=True)
    end_load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    text = report(results, args, started, load, end_load)
    print()
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
        print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
