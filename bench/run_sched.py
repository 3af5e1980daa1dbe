#!/usr/bin/env python3
"""bench/run_sched.py: issue 5's fetch bench.  N feeds (default 10,000) on
loopback nginx spread over many host addresses, half of them answering 304,
a few slow (nginx limit_rate), fetched once by

  - the floor: bench/curl_floor.c, a bare libcurl multi program;
  - winnowd once (feeds parsed and stored, no article pages);
  - newsboat -x reload with reload-threads raised (Debian's newsboat);

in the same run, each measured for wall time, CPU seconds, peak RSS and
requests per host per second (from nginx's log).  Then the idle cost:
winnowd run with --idle-feeds (default 100,000) feeds, after every feed
was fetched once, its RSS per configured feed and its wake-ups while idle.

Targets: winnowd wall <= 1.5x the floor's; winnowd feeds/s >= 10x
newsboat's at <= 1/3 of its peak RSS; <= 2 KB RSS per idle feed.

Usage: python3 bench/run_sched.py [--feeds N] [--hosts H] [--idle-feeds N]
Exit status 0 when every target passes, 1 when one fails, 2 on error.
"""
import argparse
import collections
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import run_fetch as rf  # noqa: E402  (nginx, measurement, the floor)

ITEM = ("<item><title>Item {i} of feed {f}</title>"
        "<link>http://example.invalid/{f}/{i}</link><guid>f{f}-i{i}</guid>"
        "<pubDate>{date}</pubDate><description>{text}</description></item>")
WORDS = ("the quick brown fox jumps over lazy dogs while feeds arrive from "
         "many hosts and each one is fetched parsed and stored").split()


def feed_xml(f, items, bare=False):
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
           f"<title>Feed {f}</title><link>http://example.invalid/{f}/</link>",
           "<description>bench feed</description>"]
    for i in range(items):
        day = 1 + (f + i) % 28
        text = " ".join(WORDS[(f + i + k) % len(WORDS)] for k in range(40))
        item = ITEM.format(i=i, f=f, text=text,
                           date=f"Mon, {day:02d} Jan 2024 {i % 24:02d}:00:00 GMT")
        if bare:  # no content: winnowd stores the items, no articles
            item = item.replace("<description>%s</description>" % text, "")
        out.append(item)
    out.append("</channel></rss>\n")
    return "".join(out)


def kind(f, a):
    """"slow", "nm" (always 304) or "ok" for feed number f."""
    # a stride one more than feeds/slow, so the slow feeds land on
    # different hosts (feeds go round-robin over the hosts)
    if a.slow and f % (a.feeds // a.slow + 1) == 3:
        return "slow"
    return "nm" if f % 2 == 1 else "ok"


def url(a, port, f):
    k = kind(f, a)
    host = "127.0.0.%d" % (1 + (0 if k == "slow" and a.slow_one_host else f % a.hosts))
    path = f"/feeds/{k}/{f}.xml" if k != "ok" else f"/feeds/{f}.xml"
    return f"http://{host}:{port}{path}"


def write_feeds(a, rundir):
    for sub in ("", "slow"):
        os.makedirs(os.path.join(rundir, "feeds", sub), exist_ok=True)
    for f in range(a.feeds):
        k = kind(f, a)
        if k == "nm":
            continue
        sub = "slow" if k == "slow" else ""
        with open(os.path.join(rundir, "feeds", sub, f"{f}.xml"), "w") as out:
            out.write(feed_xml(f, a.items, a.bare_items))


def winnowd_conf(a, rundir, name, urls, db, extra=""):
    path = os.path.join(rundir, name + ".conf")
    with open(path, "w") as out:
        out.write("[daemon]\nlog_level = warning\n[store]\npath = %s\n"
                  "[plugins]\ndir = %s\n[fetch]\nallow_private = yes\n"
                  "max_transfers = %d\nmax_host_transfers = %d\n"
                  "host_delay = 0\n%s[schedule]\ninterval = 30m\n"
                  % (db, a.plugins, a.max_transfers, a.max_host_transfers, extra))
        for i, u in enumerate(urls):
            out.write("[feed:f%d]\nurl = %s\nfetch_article = never\n" % (i, u))
    return path


def per_host(access):
    """Requests per host per second: the busiest host's busiest second,
    and the mean over the hosts' active time."""
    return access


def host_rates(path, start, end):
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start).decode("utf-8", "replace")
    per_sec = collections.Counter()
    per_host_n = collections.Counter()
    first, last = {}, {}
    for line in data.splitlines():
        p = line.split(" ", 8)
        if len(p) < 9:
            continue
        t, addr = float(p[0]), p[7]
        per_sec[(addr, int(t))] += 1
        per_host_n[addr] += 1
        first[addr] = min(first.get(addr, t), t)
        last[addr] = max(last.get(addr, t), t)
    peak = max(per_sec.values()) if per_sec else 0
    means = [per_host_n[h] / max(last[h] - first[h], 1e-3) for h in per_host_n]
    return peak, (sum(means) / len(means) if means else 0), dict(
        collections.Counter(p.split(" ")[1] for p in data.splitlines() if p.count(" ") > 2))


def measured(a, ngx, label, cmd, rundir, env=None):
    off0 = ngx.log_offset()
    out = os.path.join(rundir, label + ".out")
    err = os.path.join(rundir, label + ".log")
    if env is not None:
        old = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
    try:
        code, wall, cpu, rss, t0, _ = rf.measure(cmd, out, err, a.timeout, rundir)
    finally:
        if env is not None:
            os.environ.clear()
            os.environ.update(old)
    time.sleep(0.3)
    peak, mean, statuses = host_rates(ngx.access, off0, ngx.log_offset())
    rf.log("%-9s exit %d  wall %.2f s  cpu %.2f s  rss %.1f MB  statuses %s"
           % (label, code, wall, cpu, rss, statuses))
    return {"label": label, "code": code, "wall": wall, "cpu": cpu, "rss": rss,
            "peak_host_rps": peak, "mean_host_rps": mean, "statuses": statuses,
            "log": err}


def idle_cost(a, ngx, rundir, port):
    """winnowd run with n feeds (all 304, fetched once), then idle: RSS and
    wake-ups, against the same with one feed."""
    res = {}
    for n in (1, a.idle_feeds):
        urls = ["http://127.0.0.%d:%d/feeds/nm/%d.xml" % (1 + f % a.hosts, port, f)
                for f in range(n)]
        db = os.path.join(rundir, "idle-%d.db" % n)
        conf = winnowd_conf(a, rundir, "idle-%d" % n, urls, db)
        off0 = ngx.log_offset()
        err = open(os.path.join(rundir, "idle-%d.log" % n), "w")
        t0 = time.monotonic()
        proc = subprocess.Popen([a.winnowd, "run", "-c", conf], stdout=err,
                                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = t0 + a.timeout
        while True:  # every feed fetched once: n lines in nginx's log
            time.sleep(1)
            with open(ngx.access, "rb") as f:
                f.seek(off0)
                seen = f.read().count(b"\n")
            if seen >= n or time.monotonic() > deadline or proc.poll() is not None:
                break
        loaded = time.monotonic() - t0
        time.sleep(3)  # the last writes land
        st0 = rf_status(proc.pid)
        time.sleep(a.idle_seconds)
        st1 = rf_status(proc.pid)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        err.close()
        wakeups = (st1["voluntary_ctxt_switches"] + st1["nonvoluntary_ctxt_switches"]
                   - st0["voluntary_ctxt_switches"] - st0["nonvoluntary_ctxt_switches"])
        res[n] = {"rss_kb": st1["VmRSS"], "hwm_kb": st1["VmHWM"], "fetched": seen,
                  "load_s": loaded, "wakeups": wakeups}
        rf.log("idle %6d feeds: fetched %d in %.1f s; RSS %d kB (peak %d kB); "
               "%d context switches in %.0f s idle"
               % (n, seen, loaded, st1["VmRSS"], st1["VmHWM"], wakeups, a.idle_seconds))
    return res


def rf_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            v = v.split()
            if v and v[0].isdigit():
                out[k] = int(v[0])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=10000)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--slow", type=int, default=50, help="feeds served at 2 KB/s")
    ap.add_argument("--slow-one-host", action="store_true",
                    help="put every slow feed on the first host")
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--max-transfers", type=int, default=64)
    ap.add_argument("--max-host-transfers", type=int, default=6)
    ap.add_argument("--newsboat-threads", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3,
                    help="winnowd runs, each between two floor runs (median judged)")
    ap.add_argument("--idle-feeds", type=int, default=100000)
    ap.add_argument("--idle-seconds", type=float, default=10)
    ap.add_argument("--bare-items", action="store_true",
                    help="items without content: no articles to clean and store")
    ap.add_argument("--skip-newsboat", action="store_true")
    ap.add_argument("--skip-idle", action="store_true")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    a = ap.parse_args()
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")
    a.build = os.path.abspath(a.build)
    a.winnowd = os.path.join(a.build, "winnowd")
    a.plugins = os.path.join(a.build, "plugins")
    # what run_fetch's nginx and floor read
    ns = types.SimpleNamespace(
        hosts=a.hosts, nginx="/usr/sbin/nginx", nginx_workers=2, corpus=a.out,
        gzip="dynamic", gzip_level=1, access_log=True, floor=None, build=a.build,
        out=a.out, max_transfers=a.max_transfers,
        max_host_transfers=a.max_host_transfers, timeout=a.timeout)
    rundir = os.path.join(a.out, "sched")
    shutil.rmtree(rundir, ignore_errors=True)
    os.makedirs(rundir)
    rf.log("writing %d feeds (%d answer 304, %d slow) over %d hosts"
           % (a.feeds, sum(kind(f, a) == "nm" for f in range(a.feeds)),
              sum(kind(f, a) == "slow" for f in range(a.feeds)), a.hosts))
    write_feeds(a, rundir)
    port = rf.free_port(ns)
    ngx = rf.Nginx(ns, rundir, port)
    ngx.start()
    results = []
    try:
        urls = [url(a, port, f) for f in range(a.feeds)]
        ufile = os.path.join(rundir, "urls.txt")
        with open(ufile, "w") as f:
            f.write("\n".join(urls) + "\n")
        floor = rf.floor_binary(ns)
        floor_cmd = [floor, "-t", str(a.max_transfers), "-H", str(a.max_host_transfers),
                     ufile]
        db = os.path.join(rundir, "once.db")
        conf = winnowd_conf(a, rundir, "once", urls, db)
        wrap = os.environ.get("WN_BENCH_WRAP", "").split()  # e.g. "perf record -g -o F"
        # Floor and winnowd alternate, so that a slow spell of a shared
        # machine falls on both; the last floor run closes the series.
        for i in range(a.repeat):
            sfx = "" if i == 0 else str(i + 1)
            results.append(measured(a, ngx, "floor" + sfx, floor_cmd, rundir))
            for f in (db, db + "-wal", db + "-shm"):
                if os.path.exists(f):
                    os.remove(f)
            results.append(measured(a, ngx, "winnowd" + sfx,
                                    wrap + [a.winnowd, "once", "-c", conf], rundir))
        results.append(measured(a, ngx, "floor_last", floor_cmd, rundir))
        if not a.skip_newsboat:
            home = os.path.join(rundir, "newsboat")
            os.makedirs(home)
            with open(os.path.join(home, "urls"), "w") as f:
                f.write("\n".join(urls) + "\n")
            with open(os.path.join(home, "config"), "w") as f:
                f.write("reload-threads %d\ndownload-timeout 60\n" % a.newsboat_threads)
            env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home, XDG_DATA_HOME=home)
            results.append(measured(
                a, ngx, "newsboat",
                ["newsboat", "-x", "reload", "-u", os.path.join(home, "urls"),
                 "-c", os.path.join(home, "cache.db"), "-C", os.path.join(home, "config")],
                rundir, env=env))
        idle = None if a.skip_idle else idle_cost(a, ngx, rundir, port)
    finally:
        rf.kill_children()
        ngx.stop()

    by = {r["label"]: r for r in results}
    floors = [r for r in results if r["label"].startswith("floor")]
    runs = [r for r in results if r["label"].startswith("winnowd")]
    print()
    print("%d feeds (%d hosts, half 304, %d slow at 2 KB/s); max_transfers %d, "
          "max_host_transfers %d" % (a.feeds, a.hosts, a.slow, a.max_transfers,
                                     a.max_host_transfers))
    print("%-10s %8s %8s %9s %9s %14s %14s" % ("client", "wall s", "CPU s", "RSS MB",
                                                "feeds/s", "peak req/host/s",
                                                "mean req/host/s"))
    for r in results:
        print("%-10s %8.2f %8.2f %9.1f %9.0f %14d %14.1f"
              % (r["label"], r["wall"], r["cpu"], r["rss"], a.feeds / r["wall"],
                 r["peak_host_rps"], r["mean_host_rps"]))
    ok = True
    # Each winnowd run against the faster of the floor runs around it; the
    # target is judged on the median of those ratios.
    ratios = [r["wall"] / min(floors[i]["wall"], floors[i + 1]["wall"])
              for i, r in enumerate(runs)]
    ratio = statistics.median(ratios)
    w = runs[min(range(len(runs)), key=lambda i: abs(ratios[i] - ratio))]
    print("winnowd wall / floor wall: %s; median %.2f (target <= 1.5)"
          % (" ".join("%.2f" % x for x in ratios), ratio))
    ok &= ratio <= 1.5
    if "newsboat" in by:
        nb = by["newsboat"]
        speed = nb["wall"] / w["wall"]
        mem = w["rss"] / nb["rss"]
        print("winnowd feeds/s / newsboat's: %.1fx (target >= 10); RSS ratio %.2f "
              "(target <= 0.33)" % (speed, mem))
        ok &= speed >= 10 and mem <= 1 / 3
    if idle:
        n = a.idle_feeds
        per = (idle[n]["rss_kb"] - idle[1]["rss_kb"]) * 1024 / (n - 1)
        print("idle: %d feeds RSS %d kB, 1 feed %d kB: %.0f bytes per feed "
              "(target <= 2048); %d context switches in %.0f s idle"
              % (n, idle[n]["rss_kb"], idle[1]["rss_kb"], per, idle[n]["wakeups"],
                 a.idle_seconds))
        ok &= per <= 2048
    print("targets:", "pass" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except rf.BenchError as e:
        print("run_sched: %s" % e, file=sys.stderr)
        sys.exit(2)
