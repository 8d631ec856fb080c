#!/usr/bin/env python3
"""Skiff's benchmark suite (run by bench/run.sh, i.e. `make bench`; never by `make test`).

Starts the servers, drives them with bench/loadgen/LoadGen.java, runs the JMH in-process floor,
and writes bench/results/<date>-<host>.{md,csv} plus bench/results/latest.md. Every number that
matters is a ratio between two measurements of this run on this machine; bench/README.md says
what each benchmark measures and how to read the table.

Environment (set by run.sh): JAVA (a JDK 21+ `java`), SKIFF_JAR, BENCH_WORK (generated files),
BENCH_QUICK=1 for a shorter smoke run (same steps, shorter durations).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from statistics import median
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = Path(os.environ.get("BENCH_WORK", BENCH / "work"))
JAVA = os.environ["JAVA"]
JAR = os.environ.get("SKIFF_JAR", str(REPO / "runtime" / "target" / "skiff-runtime.jar"))
QUICK = os.environ.get("BENCH_QUICK") == "1"
# Where the example and test models come from: the tree SKIFF_JAR was built from (default: here),
# so a jar built from another commit serves the model files of that commit.
SOURCE = Path(os.environ.get("SKIFF_SOURCE", REPO))
# Benchmark 8 (before/after): a second jar, e.g. built from the commit before a refactoring.
BASELINE_JAR = os.environ.get("BENCH_BASELINE_JAR", "")
BASELINE_COMMIT = os.environ.get("BENCH_BASELINE_COMMIT", "baseline")

# Durations (seconds): warm-up is unmeasured, then the measured window.
WARMUP, DURATION = (3, 4) if QUICK else (8, 10)  # the JVM's JIT needs seconds on 1-2 cores
# Closed-loop servers are warmed up in windows until the throughput stops climbing (three windows
# in a row within PLATEAU of each other, after at least MIN_WARMUP seconds), at most MAX_WARMUP
# seconds: a JVM pinned to one core still compiles 20 s into a run, which a fixed 8 s warm-up
# measured as the server's speed, and a JVM's rate can stall for two windows before a last jump.
WINDOW, MIN_WARMUP, MAX_WARMUP, PLATEAU = (2, 4, 10, 0.05) if QUICK else (3, 15, 60, 0.05)
MEASURED_WARMUP = 1        # seconds of each measured run that are not counted, after warm_up()
OPEN_WARMUP, OPEN_DURATION = (1, 3) if QUICK else (2, 10)
CNN_WARMUP, CNN_DURATION = (4, 6) if QUICK else (8, 15)
CONNECTIONS = 16          # closed loop, iris
OPEN_CONNECTIONS = 64     # open loop: enough that a slow answer never delays the schedule
RATE_FRACTIONS = (0.25, 0.5, 0.75)
COMPARE_ROUNDS = int(os.environ.get("BENCH_COMPARE_ROUNDS", 1 if QUICK else 2))  # benchmark 8:
# rounds, the order alternating (A B, then B A)
# Benchmark 8's fixed rate for CPU time per request: well under what either build sustains on one
# core, so both do the same work and the server's CPU seconds ÷ requests compare the code paths.
# Less disturbed by a neighbour's load than max throughput is (it measures work, not speed).
COMPARE_CPU_RATE = 2000
MLSERVER_WORKERS = (0, 1, 2)
STARTS = 2 if QUICK else 5  # best of N: the start-up of either server is at the mercy of neighbours



def jvm_options(path: Path) -> list[str]:
    """The flags of a java @argfile (runtime/jvm.options): whitespace-separated, # comments."""
    return [word for line in path.read_text().splitlines()
            for word in line.split("#", 1)[0].split()]


# The runtime's JVM flags: runtime/jvm.options (as `make run` and Dockerfile.runtime use them);
# MaxRAM stands in for the 1 GiB memory limit of examples/iris.yaml's pod, which the JVM would read
# from the container (the heap is MaxRAMPercentage of it); the AOT cache (hack/aot-cache.sh, made
# by run.sh for the jar under test) as the image ships it.
AOT_CACHE = os.environ.get("SKIFF_AOT", "")
SKIFF_JVM_BASE = [*jvm_options(SOURCE / "runtime" / "jvm.options"), "-XX:MaxRAM=1g"]
SKIFF_JVM = [*SKIFF_JVM_BASE, *([f"-XX:AOTCache={AOT_CACHE}"] if AOT_CACHE else [])]
LOADGEN = [JAVA, "-XX:+UseParallelGC", "-cp", str(WORK / "loadgen"), "LoadGen"]
SERVER_CPU, LOADGEN_CPU = "1", "0"

IRIS_BODY = SOURCE / "examples" / "requests" / "iris.json"
IRIS_EXPECT = r'"data":\s*\[\s*0\s*,\s*2\s*\]'   # labels of the two rows; both servers' shapes
MLP_EXPECT = r'"shape":\s*\[\s*1\s*,\s*16\s*\]'
MLP_WIDTHS = (1024, 2048)  # bench/models/make_mlp.py
MLP_GOAL_WIDTH = 2048
CNN_JSON_EXPECT = r'"shape":\s*\[\s*1\s*,\s*1000\s*\]'
CNN_BIN_EXPECT = r'"binary_data_size":\s*4000\b'


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str, timeout: float = 1.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def pinned(cmd: list[str], cpu: str | None) -> list[str]:
    return (["taskset", "-c", cpu] if cpu else []) + cmd


class Server:
    """A server process in its own process group (MLServer's workers included)."""

    def __init__(self, name: str, argv: list[str], port: int, cpu: str | None = None,
                 cwd: Path | None = None, ready_path: str = "/v2/health/ready") -> None:
        self.name, self.argv, self.port, self.cpu, self.cwd = name, argv, port, cpu, cwd
        self.ready_path = ready_path
        self.proc: subprocess.Popen | None = None
        self.log = WORK / "logs" / f"{name}.log"

    def start(self) -> float:
        """Spawns the process; returns seconds from spawn until ready_path answers 200."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log, "ab")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(pinned(self.argv, self.cpu), cwd=self.cwd, stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{self.port}{self.ready_path}"
        while time.monotonic() - t0 < 180:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log}")
            if http_status(url, 0.5) == 200:
                return time.monotonic() - t0
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} not ready after 180 s; see {self.log}")

    def pids(self) -> list[int]:
        """The process and all its descendants."""
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
            except (OSError, IndexError, ValueError):
                continue
        out, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo += children.get(pid, [])
        return out

    def cpu_seconds(self) -> float:
        """User + system CPU time the process and its descendants have used so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
            except (OSError, IndexError, ValueError):
                continue
        return total / ticks

    def rss_mib(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                m = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
                total += int(m.group(1)) if m else 0
            except OSError:
                pass
        return total / 1024

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def skiff(name: str, repo: Path, cpu: str | None = None, extra: list[str] = (),
          jvm: list[str] = (), base: list[str] | None = None, jar: str = JAR) -> Server:
    port = free_port()
    argv = [JAVA, *(SKIFF_JVM if base is None else base), *jvm, "-jar", jar, "serve", str(repo),
            "--host", "127.0.0.1",
            "--port", str(port), *extra]
    if "--grpc-port" not in extra:
        # serve's gRPC default is the fixed 8081: servers side by side (and MLServer) would collide
        argv += ["--grpc-port", "off"]
    return Server(name, argv, port, cpu)


def mlserver(workers: int, cpu: str | None = None) -> Server:
    # three separately chosen free ports (HTTP, gRPC, metrics): port+1 may be someone's socket
    port, grpc_port, metrics_port = free_port(), free_port(), free_port()
    folder = WORK / f"mlserver-{workers}"
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, str(BENCH / "models" / "make_iris_mlserver.py"), str(folder),
                    str(workers), str(port), str(grpc_port), str(metrics_port)], check=True)
    argv = [str(Path(sys.executable).parent / "mlserver"), "start", str(folder)]
    # /v2/health/ready answers 200 before the model has loaded: wait for the model itself.
    return Server(f"mlserver-pw{workers}", argv, port, cpu, cwd=folder,
                  ready_path="/v2/models/iris/ready")


def loadgen(url: str, body: Path, expect: str, connections: int = CONNECTIONS, rate: float = 0,
            warmup: float = WARMUP, duration: float = DURATION, cpu: str | None = None,
            client: str = "socket", headers: list[str] = (),
            content_type: str = "application/json") -> dict:
    cmd = [*LOADGEN, "--url", url, "--body", str(body), "--expect", expect,
           "--connections", str(connections), "--warmup", str(warmup), "--duration", str(duration),
           "--client", client, "--content-type", content_type]
    if rate:
        cmd += ["--rate", f"{rate:.1f}"]
    for h in headers:
        cmd += ["--header", h]
    p = subprocess.run(pinned(cmd, cpu), capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"loadgen failed ({p.returncode}): {p.stderr}")
    result = json.loads(p.stdout.strip().splitlines()[-1])
    if p.stderr.strip():
        result["stderr"] = p.stderr.strip()[:500]
    log(f"  {url} c={connections} rate={rate or 'max'} client={client} cpu={cpu or 'any'}: "
        f"{result['throughput']} req/s, errors {result['errors']}, "
        f"p50 {result['p50_us']} us, p99 {result['p99_us']} us")
    return result


def warm_up(url: str, body: Path, expect: str, connections: int = CONNECTIONS,
            cpu: str | None = None, headers: list[str] = (),
            content_type: str = "application/json") -> list[float]:
    """Closed-loop load in WINDOW-second windows until the throughput levels off; returns the
    windows' req/s (reported in the results, so a warm-up that hit MAX_WARMUP shows)."""
    rates: list[float] = []
    while len(rates) * WINDOW < MAX_WARMUP:
        r = loadgen(url, body, expect, connections, warmup=0, duration=WINDOW, cpu=cpu,
                    headers=headers, content_type=content_type)
        rates.append(r["throughput"])
        if levelled(rates):
            break
    return rates


def levelled(rates: list[float]) -> bool:
    """Whether the warm-up ran MIN_WARMUP seconds and its last three windows are within PLATEAU."""
    last = rates[-3:]
    return (len(rates) * WINDOW >= MIN_WARMUP and len(last) == 3
            and max(last) - min(last) <= PLATEAU * max(min(last), 1))


def floor_server() -> Server:
    """bench/loadgen/FloorServer.java: answers every request at once, doing nothing."""
    port = free_port()
    return Server("floor", [JAVA, "-XX:+UseSerialGC", "-cp", str(WORK / "loadgen"), "FloorServer",
                            str(port)], port)


def infer_url(server: Server, model: str) -> str:
    return f"http://127.0.0.1:{server.port}/v2/models/{model}/infer"


class Suite:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.goals: list[dict] = []
        self.profiles: list[tuple[str, str]] = []
        self.notes: list[str] = []
        self.warmups: list[tuple[str, list[float]]] = []
        self.facts: dict = {}

    # ------------------------------------------------------------ recording

    def row(self, benchmark: str, server: str, variant: str, result: dict | None = None,
            pinned_: bool = False, value: float | None = None, unit: str = "",
            payload: int | None = None) -> dict:
        r = {"benchmark": benchmark, "server": server, "variant": variant,
             "pinned": "yes" if pinned_ else "no", "value": value, "unit": unit,
             "payload_bytes": payload}
        if result:
            for k in ("client", "connections", "target_rate", "count", "errors", "throughput",
                      "p50_us", "p90_us", "p99_us", "p999_us", "max_us"):
                r[k] = result.get(k)
            r["payload_bytes"] = result.get("request_bytes")
            if value is None:
                r["value"], r["unit"] = result["throughput"], "req/s"
            if result["errors"]:
                self.notes.append(f"{benchmark} / {server} / {variant}: {result['errors']} errors "
                                  f"({result.get('stderr', '')[:200]})")
        self.rows.append(r)
        return r

    def warm(self, label: str, url: str, body: Path, expect: str, connections: int = CONNECTIONS,
             cpu: str | None = None, **kw) -> None:
        """warm_up(), with its windows kept for the results file."""
        self.warmups.append((label, warm_up(url, body, expect, connections, cpu, **kw)))

    def open_loop(self, label: str, server: Server, rates: list[int]) -> dict[int, dict]:
        """Benchmark 2 against one server: iris at each fixed rate, a row per rate."""
        results = {}
        for rate in rates:
            r = loadgen(infer_url(server, "iris"), IRIS_BODY, IRIS_EXPECT, OPEN_CONNECTIONS, rate,
                        OPEN_WARMUP, OPEN_DURATION)
            results[rate] = r
            self.row("2 iris open-loop latency", label, f"{rate}/s", r)
        return results

    def goal(self, benchmark: str, goal: str, measured: str, met: bool, miss: str = "") -> None:
        self.goals.append({"benchmark": benchmark, "goal": goal, "measured": measured,
                           "met": "met" if met else "MISSED", "miss": miss})

    def profile(self, label: str, server: Server, url: str, body: Path, expect: str,
                connections: int, headers: list[str] = (),
                content_type: str = "application/json") -> None:
        """JFR on the running server for a few seconds of the same load; hottest methods kept."""
        jfr = WORK / f"{label}.jfr"
        jfr.unlink(missing_ok=True)
        jcmd = str(Path(JAVA).parent / "jcmd")
        jfr_tool = str(Path(JAVA).parent / "jfr")
        pid = str(server.proc.pid)
        subprocess.run([jcmd, pid, "JFR.start", "name=bench", "settings=profile"],
                       capture_output=True, check=True)
        loadgen(url, body, expect, connections, warmup=0, duration=4 if QUICK else 8,
                headers=headers, content_type=content_type)
        subprocess.run([jcmd, pid, "JFR.stop", "name=bench", f"filename={jfr}"],
                       capture_output=True, check=True)
        for view in ("hot-methods", "allocation-by-class"):
            p = subprocess.run([jfr_tool, "view", "--width", "160", view, str(jfr)],
                               capture_output=True, text=True)
            text = "\n".join(p.stdout.strip().splitlines()[:18])
            self.profiles.append((f"{label}: {view}", text or p.stderr.strip()))

    # ------------------------------------------------------------ benchmarks

    def iris(self) -> None:
        """1, 2, 6: iris max throughput, open-loop latency, start → ready, RSS after load."""
        log("benchmark 1: iris V2 JSON, MLServer")
        best = None
        for workers in MLSERVER_WORKERS:
            s = mlserver(workers)
            try:
                s.start()
                self.warm(f"mlserver parallel_workers={workers}", infer_url(s, "iris"), IRIS_BODY,
                          IRIS_EXPECT)
                r = loadgen(infer_url(s, "iris"), IRIS_BODY, IRIS_EXPECT, warmup=MEASURED_WARMUP)
                self.row("1 iris max throughput", "mlserver", f"parallel_workers={workers}", r)
                if r["errors"] == 0 and (best is None or r["throughput"] > best[1]["throughput"]):
                    best = (workers, r)
            finally:
                s.stop()
        if best is None:
            raise RuntimeError("MLServer had errors at every parallel_workers setting")
        workers, mls_max = best
        self.facts["mlserver_workers"] = workers
        log(f"  MLServer's best parallel_workers: {workers}")

        log("benchmark 2 + 6: MLServer open loop, RSS after load")
        rates = [round(mls_max["throughput"] * f) for f in RATE_FRACTIONS]
        s = mlserver(workers)
        try:
            s.start()
            mls_open = self.open_loop("mlserver", s, rates)
            mls_rss = s.rss_mib()
            self.row("6 RSS after load", "mlserver", f"parallel_workers={workers}, all processes",
                     value=round(mls_rss, 1), unit="MiB")
        finally:
            s.stop()

        # The machine's own latency at the same rates: what a server that does nothing gets.
        s = floor_server()
        try:
            s.start()
            floor_open = self.open_loop("floor (does nothing)", s, rates)
        finally:
            s.stop()

        s = mlserver(workers, SERVER_CPU)
        try:
            s.start()
            self.warm(f"mlserver parallel_workers={workers}, pinned", infer_url(s, "iris"),
                      IRIS_BODY, IRIS_EXPECT, cpu=LOADGEN_CPU)
            mls_pinned = loadgen(infer_url(s, "iris"), IRIS_BODY, IRIS_EXPECT, cpu=LOADGEN_CPU,
                                 warmup=MEASURED_WARMUP)
            self.row("1 iris max throughput", "mlserver", f"parallel_workers={workers}",
                     mls_pinned, pinned_=True)
        finally:
            s.stop()

        log("benchmark 1, 2, 6: iris V2 JSON, Skiff")
        repo = WORK / "repo-iris"
        s = skiff("skiff-iris", repo)
        try:
            s.start()
            self.warm("skiff iris", infer_url(s, "iris"), IRIS_BODY, IRIS_EXPECT)
            sk_max = loadgen(infer_url(s, "iris"), IRIS_BODY, IRIS_EXPECT, warmup=MEASURED_WARMUP)
            self.row("1 iris max throughput", "skiff", "defaults", sk_max)
            jdk = loadgen(infer_url(s, "iris"), IRIS_BODY, IRIS_EXPECT, client="jdk")
            self.row("1 iris max throughput", "skiff", "defaults (load generator: JDK HttpClient)",
                     jdk)
            self.facts["client_ratio"] = jdk["throughput"] / sk_max["throughput"]
            sk_open = self.open_loop("skiff", s, rates)
            sk_rss = s.rss_mib()
            self.row("6 RSS after load", "skiff", "defaults", value=round(sk_rss, 1), unit="MiB")
            self.profile("skiff-iris", s, infer_url(s, "iris"), IRIS_BODY, IRIS_EXPECT, CONNECTIONS)
        finally:
            s.stop()

        s = skiff("skiff-iris-pinned", repo, SERVER_CPU)
        try:
            s.start()
            self.warm("skiff iris, pinned", infer_url(s, "iris"), IRIS_BODY, IRIS_EXPECT,
                      cpu=LOADGEN_CPU)
            sk_pinned = loadgen(infer_url(s, "iris"), IRIS_BODY, IRIS_EXPECT, cpu=LOADGEN_CPU,
                                warmup=MEASURED_WARMUP)
            self.row("1 iris max throughput", "skiff", "defaults", sk_pinned, pinned_=True)
        finally:
            s.stop()

        ratio = sk_max["throughput"] / mls_max["throughput"]
        ratio_p = sk_pinned["throughput"] / mls_pinned["throughput"]
        self.goal("iris JSON throughput", "≥ 5× MLServer",
                  f"{ratio:.1f}× unpinned, {ratio_p:.1f}× pinned (1 core each)",
                  ratio >= 5 and ratio_p >= 5,
                  "" if ratio >= 5 and ratio_p >= 5 else f"{min(ratio, ratio_p) / 5:.0%} of goal")
        worst = 0.0
        parts = []
        for rate in rates:
            m, k = mls_open[rate], sk_open[rate]
            sustained = m["errors"] == 0 and m["throughput"] >= 0.95 * rate
            if sustained and m["p99_us"] > 0:
                q = k["p99_us"] / m["p99_us"]
                worst = max(worst, q)
                parts.append(f"{rate}/s: {q:.2f}")
        floor = ", ".join(f"{rate}/s: {floor_open[rate]['p99_us'] / mls_open[rate]['p99_us']:.2f}"
                          for rate in rates if mls_open[rate]["p99_us"] > 0)
        self.goal("iris p99 at every rate MLServer sustains", "≤ ¼ of MLServer's",
                  "Skiff p99 ÷ MLServer p99 = " + ", ".join(parts), worst <= 0.25,
                  "" if worst <= 0.25 else f"worst {worst:.2f} (goal 0.25); a server that does "
                                           f"nothing got {floor} of MLServer's p99 here")
        self.facts["iris_ratio"] = ratio
        self.facts["iris_ratio_pinned"] = ratio_p
        self.facts["rss"] = (sk_rss, mls_rss)
        self.goal("RSS after load", "≤ MLServer's", f"Skiff {sk_rss:.0f} MiB, MLServer "
                  f"{mls_rss:.0f} MiB ({sk_rss / mls_rss:.2f}×)", sk_rss <= mls_rss,
                  "" if sk_rss <= mls_rss else f"{sk_rss / mls_rss:.2f}× MLServer's")

        log("benchmark 6: start → ready")
        sk_times, mls_times, cold_times = [], [], []
        for _ in range(STARTS):
            s = skiff("skiff-start", repo)
            try:
                sk_times.append(s.start())
            finally:
                s.stop()
            if AOT_CACHE:
                s = skiff("skiff-start-no-aot", repo, base=SKIFF_JVM_BASE)
                try:
                    cold_times.append(s.start())
                finally:
                    s.stop()
            s = mlserver(workers)
            try:
                mls_times.append(s.start())
            finally:
                s.stop()
        sk_start, mls_start = min(sk_times), min(mls_times)
        self.row("6 start → ready", "skiff", f"best of {STARTS} (/v2/health/ready)"
                 + (", AOT cache" if AOT_CACHE else ", no AOT cache"),
                 value=round(sk_start, 3), unit="s")
        if cold_times:
            self.row("6 start → ready", "skiff", f"best of {STARTS} (/v2/health/ready), "
                     "no AOT cache", value=round(min(cold_times), 3), unit="s")
        self.row("6 start → ready", "mlserver", f"best of {STARTS} (/v2/models/iris/ready), "
                 f"parallel_workers={workers}", value=round(mls_start, 3), unit="s")
        speedup = mls_start / sk_start
        ok = sk_start <= 1 and speedup >= 3
        self.goal("start → ready, iris", "≤ 1 s and ≥ 3× faster than MLServer",
                  f"Skiff {sk_start:.2f} s, MLServer {mls_start:.2f} s ({speedup:.1f}×)", ok,
                  "" if ok else f"{sk_start:.2f} s, {speedup:.1f}× faster")
        self.facts["start"] = (sk_start, mls_start)

    def router(self) -> None:
        """7: route mode in front of one runtime vs the runtime directly.

        Twice: all three processes on both cores, and with the router on a core of its own (the
        load generator and the runtime share the other, in the direct run too), which is how it is
        deployed: the router is its own Deployment, scaled by its own autoscaler.
        """
        log("benchmark 7: router hop")
        ratios = {}
        for variant, backend_cpu, router_cpu, loadgen_cpu in (
                ("shared cores", None, None, None),
                ("router on its own core", LOADGEN_CPU, SERVER_CPU, LOADGEN_CPU)):
            ratios[variant] = self.router_hop(variant, backend_cpu, router_cpu, loadgen_cpu)
        shared, own = ratios["shared cores"], ratios["router on its own core"]
        self.goal("router", "≥ 0.9× direct throughput",
                  f"{own:.2f}× with the router on its own core, {shared:.2f}× with all three "
                  "processes sharing both cores", own >= 0.9,
                  "" if own >= 0.9 else f"{own:.2f}× (goal 0.9×)")
        self.facts["router"] = (own, shared)

    def router_hop(self, variant: str, backend_cpu: str | None, router_cpu: str | None,
                   loadgen_cpu: str | None, jar: str = JAR, jvm: list[str] | None = None,
                   benchmark: str = "7 router hop", server: str = "skiff") -> float:
        repo = WORK / "repo-iris"
        jvm = SKIFF_JVM if jvm is None else jvm
        backend = skiff("skiff-router-backend", repo, backend_cpu, base=jvm, jar=jar)
        port = free_port()
        config = WORK / "router.yaml"
        router = Server("skiff-router", [JAVA, *jvm, "-jar", jar, "route", "--config",
                                         str(config), "--host", "127.0.0.1", "--port", str(port),
                                         "--shutdown-delay-s", "0", "--grpc-port", "off"], port, router_cpu,
                        ready_path="/health/ready")
        pinned_ = backend_cpu is not None
        try:
            backend.start()
            config.write_text("model: iris\nversions:\n"
                              f'  - {{name: v1, url: "http://127.0.0.1:{backend.port}", weight: 100}}\n')
            router.start()
            # Both warmed up until their throughput levels off before either is measured: the
            # router on one core was still compiling 20 s into a run, and the backend warms up
            # along with it through the routed load.
            self.warm(f"router backend ({variant})", infer_url(backend, "iris"), IRIS_BODY,
                      IRIS_EXPECT, cpu=loadgen_cpu)
            self.warm(f"router ({variant})", infer_url(router, "iris"), IRIS_BODY, IRIS_EXPECT,
                      cpu=loadgen_cpu)
            direct = loadgen(infer_url(backend, "iris"), IRIS_BODY, IRIS_EXPECT, cpu=loadgen_cpu,
                             warmup=MEASURED_WARMUP)
            routed = loadgen(infer_url(router, "iris"), IRIS_BODY, IRIS_EXPECT, cpu=loadgen_cpu,
                             warmup=MEASURED_WARMUP)
            self.row(benchmark, server, f"direct ({variant})", direct, pinned_=pinned_)
            self.row(benchmark, server, f"through route mode ({variant})", routed,
                     pinned_=pinned_)
            ratio = routed["throughput"] / direct["throughput"]
            log(f"  router hop, {variant}: {ratio:.2f}× direct")
            if ratio < 0.9 and benchmark == "7 router hop":
                self.profile("skiff-router" + ("-own-core" if pinned_ else ""), router,
                             infer_url(router, "iris"),
                             IRIS_BODY, IRIS_EXPECT, CONNECTIONS)
            return ratio
        finally:
            router.stop()
            backend.stop()

    def compare(self) -> None:
        """8: the same benchmarks for two builds of Skiff in one run (BENCH_BASELINE_JAR).

        Benchmark 1's Skiff rows (unpinned and pinned) and benchmark 7's router hop with the router
        on its own core, for the baseline jar and the jar under test, in rounds whose order
        alternates (A B, then B A), so a neighbour's load or the machine's warming up falls on both
        builds alike. Neither gets the AOT cache (it belongs to one jar). The ratio of the medians
        is the result; a refactoring should keep every ratio near 1.
        """
        if not BASELINE_JAR:
            log("benchmark 8: skipped (no BENCH_BASELINE_JAR)")
            return
        builds = [(f"skiff@{BASELINE_COMMIT}", BASELINE_JAR), (f"skiff@{self.commit()}", JAR)]
        log(f"benchmark 8: before/after, {builds[0][0]} vs {builds[1][0]}")
        repo = WORK / "repo-iris"
        measured: dict[str, dict[str, list[float]]] = {label: {} for label, _ in builds}
        for round_ in range(COMPARE_ROUNDS):
            for label, jar in (builds if round_ % 2 == 0 else builds[::-1]):
                got = measured[label]
                for variant, cpu, loadgen_cpu in (("unpinned", None, None),
                                                  ("pinned", SERVER_CPU, LOADGEN_CPU)):
                    s = skiff(f"compare-{variant}", repo, cpu, base=SKIFF_JVM_BASE, jar=jar)
                    try:
                        s.start()
                        self.warm(f"{label} iris, {variant}, round {round_ + 1}",
                                  infer_url(s, "iris"), IRIS_BODY, IRIS_EXPECT, cpu=loadgen_cpu)
                        r = loadgen(infer_url(s, "iris"), IRIS_BODY, IRIS_EXPECT,
                                    cpu=loadgen_cpu, warmup=MEASURED_WARMUP)
                        self.row("8 before/after: iris max throughput", label,
                                 f"round {round_ + 1}", r, pinned_=cpu is not None)
                        got.setdefault(f"iris req/s, {variant}", []).append(r["throughput"])
                        if cpu is not None:
                            per_request = self.cpu_per_request(s, loadgen_cpu)
                            self.row("8 before/after: server CPU per iris request", label,
                                     f"round {round_ + 1}, {COMPARE_CPU_RATE}/s open loop",
                                     pinned_=True, value=round(per_request, 1), unit="us")
                            # Less is better: kept as requests per CPU second, like the others.
                            got.setdefault("iris requests per server CPU second", []).append(
                                1e6 / per_request)
                    finally:
                        s.stop()
                ratio = self.router_hop("router on its own core", LOADGEN_CPU, SERVER_CPU,
                                        LOADGEN_CPU, jar=jar, jvm=SKIFF_JVM_BASE,
                                        benchmark="8 before/after: router hop",
                                        server=f"{label} round {round_ + 1}")
                got.setdefault("router hop ÷ direct", []).append(ratio)
        before, after = (measured[label] for label, _ in builds)
        parts, worst = [], float("inf")
        for metric in before:
            b, a = median(before[metric]), median(after[metric])
            worst = min(worst, a / b)
            parts.append(f"{metric}: {b:,.2f} → {a:,.2f} ({a / b:.2f}×)")
        self.goal("before/after", f"{builds[1][0]} ≥ 0.95× {builds[0][0]} on every row "
                  "(medians of the rounds)", "; ".join(parts), worst >= 0.95,
                  "" if worst >= 0.95 else f"worst {worst:.2f}×")

    @staticmethod
    def cpu_per_request(server: Server, loadgen_cpu: str | None) -> float:
        """Microseconds of the (warm) server's CPU time per iris request at COMPARE_CPU_RATE."""
        before = server.cpu_seconds()
        r = loadgen(infer_url(server, "iris"), IRIS_BODY, IRIS_EXPECT, OPEN_CONNECTIONS,
                    COMPARE_CPU_RATE, warmup=0, duration=OPEN_DURATION, cpu=loadgen_cpu)
        used = server.cpu_seconds() - before
        per_request = used / max(r["count"], 1) * 1e6
        log(f"  server CPU: {used:.2f} s for {r['count']} requests = {per_request:.1f} us each")
        return per_request

    def commit(self) -> str:
        return os.environ.get("SKIFF_COMMIT") or subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True).stdout.strip()

    def batching(self) -> None:
        """5: small MLPs with and without dynamic batching, 64 clients (bench/models/make_mlp.py)."""
        log("benchmark 5: batching on vs off, small MLPs, 64 connections")
        body = WORK / "models" / "requests" / "mlp.json"
        s = skiff("skiff-mlp", WORK / "repo-mlp")
        gains = {}
        try:
            s.start()
            # Every model warmed up before any is measured, so neither side of a pair pays the
            # JIT's warm-up.
            for width in MLP_WIDTHS:
                for name in (f"mlp{width}", f"mlp{width}-batched"):
                    self.warm(f"skiff {name}", infer_url(s, name), body, MLP_EXPECT, 64)
            for width in MLP_WIDTHS:
                off = loadgen(infer_url(s, f"mlp{width}"), body, MLP_EXPECT, 64,
                              warmup=MEASURED_WARMUP)
                on = loadgen(infer_url(s, f"mlp{width}-batched"), body, MLP_EXPECT, 64,
                             warmup=MEASURED_WARMUP)
                model = f"256-{width}-{width}-16"
                self.row("5 batching, small MLP", "skiff", f"batching off (MLP {model})", off)
                self.row("5 batching, small MLP", "skiff",
                         f"batching on (MLP {model}, maxBatchSize 32, maxDelayMillis 5)", on)
                gains[width] = (on["throughput"] / off["throughput"],
                                (on["p99_us"] - off["p99_us"]) / 1000, off, on)
        finally:
            s.stop()
        gain, growth_ms, off, on = gains[MLP_GOAL_WIDTH]
        ok = gain >= 2 and growth_ms <= 6
        others = ", ".join(f"{g:.2f}× for the {w}-wide MLP" for w, (g, *_) in gains.items()
                           if w != MLP_GOAL_WIDTH)
        self.goal("batching gain, small MLP, 64 clients", "≥ 2×, p99 grows by ≤ maxDelay + 1 ms (6 ms)",
                  f"{gain:.2f}× (MLP 256-{MLP_GOAL_WIDTH}-{MLP_GOAL_WIDTH}-16), p99 "
                  f"{off['p99_us'] / 1000:.1f} → {on['p99_us'] / 1000:.1f} ms ({growth_ms:+.1f} ms)"
                  + (f"; {others}" if others else ""), ok,
                  "" if ok else f"gain {gain:.2f}× (goal 2×), p99 {growth_ms:+.1f} ms (goal ≤ +6)")
        self.facts["batching"] = gain

    def cnn(self) -> None:
        """3 + 4: the JMH in-process floor, then the CNN through the server, JSON and binary."""
        log("benchmark 3: in-process floor (JMH)")
        jmh_out = WORK / "jmh.json"
        floor = {}
        args = ["-f", "1", "-wi", "2", "-w", "2s", "-i", "3", "-r", "2s" if QUICK else "3s"]
        for model, threads in (("iris", 1), ("cnn", 1), ("cnn", 2)):
            subprocess.run([JAVA, "--enable-native-access=ALL-UNNAMED",
                            f"-Dskiff.bench.repo={WORK / 'models'}", "-jar",
                            str(BENCH / "jmh" / "target" / "benchmarks.jar"), *args, "-t",
                            str(threads), "-p", f"model={model}", "-rf", "json", "-rff",
                            str(jmh_out)], check=True, capture_output=True)
            score = json.loads(jmh_out.read_text())[0]["primaryMetric"]["score"]
            floor[(model, threads)] = score
            self.row("3 in-process floor (JMH)", "onnxruntime",
                     f"{model}, {threads} thread(s), intra-op 1: tensor + run + read + close",
                     value=round(score, 1), unit="ops/s",
                     payload=32 if model == "iris" else 3 * 224 * 224 * 4)
            log(f"  {model} t={threads}: {score:.1f} ops/s")

        log("benchmark 4: CNN serving efficiency, JSON and binary")
        s = skiff("skiff-cnn", WORK / "repo-cnn")
        requests = WORK / "models" / "requests"
        header_len = (requests / "cnn.bin.len").read_text().strip()
        try:
            s.start()
            js = loadgen(infer_url(s, "cnn"), requests / "cnn.json", CNN_JSON_EXPECT, 4,
                         warmup=CNN_WARMUP, duration=CNN_DURATION)
            binary = loadgen(infer_url(s, "cnn"), requests / "cnn.bin", CNN_BIN_EXPECT, 4,
                             warmup=CNN_WARMUP, duration=CNN_DURATION,
                             headers=[f"Inference-Header-Content-Length: {header_len}"],
                             content_type="application/octet-stream")
            self.row("4 CNN serving efficiency", "skiff", "V2 JSON, 4 connections", js)
            self.row("4 CNN serving efficiency", "skiff", "binary tensor data, 4 connections",
                     binary)
            base = floor[("cnn", 2)]
            eff_json, eff_bin = js["throughput"] / base, binary["throughput"] / base
            ok = eff_bin >= 0.95 and eff_json >= 0.8
            self.goal("CNN serving efficiency, binary / JSON", "≥ 0.95 / ≥ 0.8 of in-process",
                      f"{eff_bin:.2f} / {eff_json:.2f} (in-process, 2 threads: {base:.1f}/s)", ok,
                      "" if ok else f"binary {eff_bin:.2f} (goal 0.95), JSON {eff_json:.2f} "
                                    f"(goal 0.8)")
            self.facts["cnn"] = (eff_bin, eff_json)
            if eff_json < 0.8:
                self.profile("skiff-cnn-json", s, infer_url(s, "cnn"), requests / "cnn.json",
                             CNN_JSON_EXPECT, 4)
            if eff_bin < 0.95:
                self.profile("skiff-cnn-binary", s, infer_url(s, "cnn"), requests / "cnn.bin",
                             CNN_BIN_EXPECT, 4,
                             headers=[f"Inference-Header-Content-Length: {header_len}"],
                             content_type="application/octet-stream")
        finally:
            s.stop()

    # ------------------------------------------------------------ output

    def machine(self) -> dict:
        cpu = "unknown"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        java = subprocess.run([JAVA, "-version"], capture_output=True, text=True).stderr
        pom = (REPO / "pom.xml").read_text()
        prop = lambda name: re.search(rf"<{name}>([^<]+)</{name}>", pom).group(1)  # noqa: E731
        commit = self.commit()

        def version(package: str) -> str:  # benchmark 8 alone runs without the bench venv
            try:
                return importlib.metadata.version(package)
            except importlib.metadata.PackageNotFoundError:
                return "not installed"

        return {
            "host": socket.gethostname(),
            "cores": os.cpu_count(),
            "cpu_model": cpu,
            "memory_gib": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(),
            "java": java.splitlines()[1].strip() if len(java.splitlines()) > 1 else java.strip(),
            "onnxruntime": prop("onnxruntime.version"),
            "helidon": prop("helidon.version"),
            "mlserver": version("mlserver"),
            "mlserver_sklearn": version("mlserver-sklearn"),
            "scikit_learn": version("scikit-learn"),
            "python": platform.python_version(),
            "skiff_commit": commit,
            "load_average": f"{self.facts.get('load_start', '?')} at start, "
                            f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])} at end "
                            "(1/5/15 min; above the core count means other work shared the CPU)",
            "skiff_jvm_flags": " ".join(SKIFF_JVM),
            "skiff_flags": "serve defaults: --inference-threads=cores, --intra-op-threads 1",
            "loadgen": "bench/loadgen/LoadGen.java, raw keep-alive sockets, "
                       f"{CONNECTIONS} connections closed loop / {OPEN_CONNECTIONS} open loop",
        }

    def write(self, started: dt.datetime) -> Path:
        m = self.machine()
        stamp = started.strftime("%Y-%m-%d")
        host = re.sub(r"[^A-Za-z0-9.-]", "_", m["host"])
        out = BENCH / "results"
        out.mkdir(exist_ok=True)
        # A run of some steps only is its own file and leaves latest.md (the whole suite) alone.
        only = os.environ.get("BENCH_ONLY")
        base = out / (f"{stamp}-{host}" + (f"-{only.replace(',', '-')}-only" if only else ""))

        columns = ["date", "host", "cores", "cpu_model", "memory_gib", "java", "onnxruntime",
                   "helidon", "mlserver", "skiff_commit", "skiff_jvm_flags", "benchmark", "server",
                   "variant", "pinned", "client", "connections", "target_rate", "payload_bytes",
                   "count", "errors", "throughput", "p50_us", "p90_us", "p99_us", "p999_us",
                   "max_us", "value", "unit"]
        with open(base.with_suffix(".csv"), "w", newline="") as f:
            w = csv.DictWriter(f, columns, extrasaction="ignore")
            w.writeheader()
            for r in self.rows:
                w.writerow({"date": started.isoformat(timespec="seconds"), **m, **r})

        def fmt(v, digits=0):
            if v is None or v == "":
                return ""
            return f"{v:,.{digits}f}" if isinstance(v, (int, float)) else str(v)

        lines = [
            f"# Skiff benchmarks, {started:%Y-%m-%d %H:%M} on {m['host']}",
            "",
            f"Produced by `make bench` ({'quick mode, ' if QUICK else ''}"
            f"{(dt.datetime.now() - started).seconds // 60} min). What each benchmark measures and "
            "how to read it: [bench/README.md](../README.md). Absolute numbers are noise on a "
            "shared machine; the ratios between two rows of the same run are the result.",
            "",
            "| machine | |", "|---|---|",
            *[f"| {k} | {v} |" for k, v in m.items()],
            "",
            "## Goals",
            "",
            "| benchmark | goal | measured | | by how much |",
            "|---|---|---|---|---|",
            *[f"| {g['benchmark']} | {g['goal']} | {g['measured']} | {g['met']} | {g['miss']} |"
              for g in self.goals],
            "",
            "## Results",
            "",
            "Latencies in µs (open loop: from each request's intended send time). req/s counts "
            "correct answers only; errors = HTTP errors + I/O errors + wrong sampled answers.",
            "",
            "| benchmark | server | variant | pinned | conns | rate | req bytes | req/s or value "
            "| errors | p50 | p90 | p99 | p99.9 |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in self.rows:
            value = fmt(r["value"], 1) + (f" {r['unit']}" if r["unit"] else "")
            lines.append(
                f"| {r['benchmark']} | {r['server']} | {r['variant']} | {r['pinned']} | "
                f"{fmt(r.get('connections'))} | {fmt(r.get('target_rate') or None)} | "
                f"{fmt(r.get('payload_bytes'))} | {value} | {fmt(r.get('errors'))} | "
                f"{fmt(r.get('p50_us'))} | {fmt(r.get('p90_us'))} | {fmt(r.get('p99_us'))} | "
                f"{fmt(r.get('p999_us'))} |")
        if "client_ratio" in self.facts:
            lines += ["", f"Load generator check: the JDK HttpClient reached "
                          f"{self.facts['client_ratio']:.2f}× the raw-socket client's throughput "
                          "against the same Skiff server (the raw-socket client is the default)."]
        if self.warmups:
            lines += ["", "## Warm-up", "",
                      f"Before each closed-loop measurement the server got {WINDOW} s windows of "
                      f"the same load until three in a row were within {PLATEAU:.0%} of each "
                      f"other (at least {MIN_WARMUP} s, at most {MAX_WARMUP} s); req/s of each "
                      "window:", "",
                      *[f"- {label}: {', '.join(f'{r:,.0f}' for r in rates)}"
                        + ("" if levelled(rates) else " (stopped at the limit, still changing)")
                        for label, rates in self.warmups]]
        if self.notes:
            lines += ["", "## Errors seen", "", *[f"- {n}" for n in self.notes]]
        if self.profiles:
            lines += ["", "## Profiles (JFR, a few seconds of the same load)", "",
                      "Recorded with `jcmd <pid> JFR.start settings=profile` during the same load "
                      "and summarised with `jfr view hot-methods` / `allocation-by-class`. "
                      "Where a goal is missed, these show where the server's CPU goes."]
            for label, text in self.profiles:
                lines += ["", f"### {label}", "", "```", text, "```"]
        lines += ["", "## Not measured", "",
                  "- GPU (CUDA execution provider): this machine has no GPU.", ""]
        md = base.with_suffix(".md")
        md.write_text("\n".join(lines))
        if not only:
            shutil.copyfile(md, out / "latest.md")
        return md


def prepare() -> None:
    """Model repositories under bench/work (links to the committed models + the generated CNN)."""
    def repo(name: str, models: dict[str, Path]) -> None:
        d = WORK / name
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        for model, target in models.items():
            (d / model).symlink_to(target)

    iris = SOURCE / "examples" / "models" / "iris"
    repo("repo-iris", {"iris": iris})
    repo("repo-mlp", {name: WORK / "models" / name for width in MLP_WIDTHS
                      for name in (f"mlp{width}", f"mlp{width}-batched")})
    repo("repo-cnn", {"cnn": WORK / "models" / "cnn"})
    link = WORK / "models" / "iris"
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink():
        link.unlink()
    link.symlink_to(iris)
    (WORK / "requests").mkdir(exist_ok=True)


def main() -> None:
    started = dt.datetime.now()
    prepare()
    suite = Suite()
    suite.facts["load_start"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    steps = [suite.iris, suite.cnn, suite.batching, suite.router, suite.compare]
    only = os.environ.get("BENCH_ONLY")
    for step in steps:
        if only and step.__name__ not in only.split(","):
            continue
        try:
            step()
        except Exception as e:  # one failed benchmark must not lose the others' results
            log(f"{step.__name__} FAILED: {e}")
            suite.notes.append(f"benchmark step '{step.__name__}' failed: {e}")
    md = suite.write(started)
    log(f"wrote {md} and {md.with_suffix('.csv')}")
    print(md.read_text().split("## Results")[0])


if __name__ == "__main__":
    main()
