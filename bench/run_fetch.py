#!/usr/bin/env python3
"""run_fetch.py: the fetch bench: one pass of `winnowd once` over a local
corpus served by nginx on loopback, measured beside a bare libcurl program
that fetches the same URLs and parses nothing (the floor), in the same run.

It generates the corpus when the cached one does not match the options
(gen_corpus.py, cached in bench/out/corpus), starts nginx as its child,
runs the floor and winnowd interleaved, and prints feeds/s, items/s,
articles/s, wall and CPU seconds and peak RSS of each, the ratio of
winnowd's wall time to the floor's, and PASS/FAIL against the targets
(winnowd within 3x the floor's wall time, peak RSS under 100 MB).  It does
not build winnowd: build it first (see bench/README.md).

Exit status: 0 when every target passes, 1 when one fails, 2 when the bench
itself could not run.  Python 3 standard library only; Linux only (it reads
/proc and binds 127.0.0.x addresses).
"""

import argparse
import collections
import gzip
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

TARGET_RATIO = 3.0          # winnowd wall / floor wall, at most
TARGET_RSS_MB = 100.0       # winnowd peak RSS, below
MAX_HOSTS = 254             # 127.0.0.1 .. 127.0.0.254
NGINX_START_S = 10.0        # time allowed for nginx to listen
NGINX_STOP_S = 10.0         # time allowed for a graceful stop
PORT_TRIES = 50             # free-port attempts
LOG_TAIL_LINES = 15         # winnowd log lines shown at the end
LOG_SAMPLES = 8             # distinct error/warning lines shown
GZ_STATIC_LEVEL = 6         # level of the precompressed FILE.gz (--gzip static)


class BenchError(Exception):
    """The bench could not run (as opposed to a target that failed)."""


class Stop(Exception):
    """SIGTERM or SIGHUP: clean up as for Ctrl-C."""


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ corpus


def ensure_corpus(a):
    manifest = os.path.join(a.corpus, "manifest.json")
    want = {"feeds": a.feeds, "items": a.items, "articles": a.articles,
            "atom_share": a.atom_share, "seed": a.seed}
    try:
        with open(manifest) as f:
            have = json.load(f)
        p = have["params"]
        if all(p.get(k) == v for k, v in want.items()) and not a.regenerate:
            sys.path.insert(0, HERE)
            import gen_corpus  # the version stamp lives there
            if p.get("version") == gen_corpus.CORPUS_VERSION:
                return have
    except (OSError, ValueError, KeyError):
        pass
    log("generating the corpus in %s (cached for later runs)" % a.corpus)
    cmd = [sys.executable, os.path.join(HERE, "gen_corpus.py"),
           "--feeds", str(a.feeds), "--items", str(a.items),
           "--articles", str(a.articles), "--atom-share", str(a.atom_share),
           "--seed", str(a.seed), "--out", a.corpus]
    t0 = time.monotonic()
    if subprocess.call(cmd) != 0:
        raise BenchError("gen_corpus.py failed")
    log("corpus generated in %.1f s" % (time.monotonic() - t0))
    with open(manifest) as f:
        return json.load(f)


def _gz_one(path):
    with open(path, "rb") as f:
        data = f.read()
    with open(path + ".gz.tmp", "wb") as f:
        f.write(gzip.compress(data, GZ_STATIC_LEVEL, mtime=0))
    os.replace(path + ".gz.tmp", path + ".gz")


def ensure_gz(a, man):
    """FILE.gz beside every article page, for nginx's gzip_static."""
    stamp = os.path.join(a.corpus, "gz.done")
    if os.path.exists(stamp):
        return
    log("compressing the article pages for --gzip static (cached)")
    t0 = time.monotonic()
    paths = [os.path.join(a.corpus, p.lstrip("/"))
             for fd in man["feeds"] for p in fd["articles"]]
    with multiprocessing.Pool(os.cpu_count() or 1) as pool:
        pool.map(_gz_one, paths, chunksize=64)
    with open(stamp, "w") as f:
        f.write("level %d\n" % GZ_STATIC_LEVEL)
    log("compressed in %.1f s" % (time.monotonic() - t0))


def origin(a, port, fi):
    return "http://127.0.0.%d:%d" % (1 + fi % a.hosts, port)


def materialize(a, man, port, rundir):
    """Writes this run's feeds (the origin filled in) and the URL list."""
    token = man["origin_token"]
    fdir = os.path.join(rundir, "feeds")
    os.makedirs(fdir, exist_ok=True)
    for fi, fd in enumerate(man["feeds"]):
        with open(os.path.join(a.corpus, fd["path"].lstrip("/")), "r",
                  encoding="utf-8") as f:
            text = f.read()
        dest = os.path.join(rundir, fd["path"].lstrip("/"))
        data = text.replace(token, origin(a, port, fi)).encode("utf-8")
        with open(dest, "wb") as f:
            f.write(data)
        if a.gzip == "static":
            with open(dest + ".gz", "wb") as f:
                f.write(gzip.compress(data, GZ_STATIC_LEVEL, mtime=0))
    urls = os.path.join(rundir, "urls.txt")
    with open(os.path.join(a.corpus, "paths.txt")) as src, open(urls, "w") as dst:
        for line in src:
            fi, path = line.split(None, 1)
            dst.write(origin(a, port, int(fi)) + path)
    return urls


# ------------------------------------------------------------------- nginx


def free_port(a):
    """A TCP port free on every bench address (nginx binds them itself)."""
    for _ in range(PORT_TRIES):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        try:
            for h in range(2, a.hosts + 1):
                t = socket.socket()
                try:
                    t.bind(("127.0.0.%d" % h, port))
                finally:
                    t.close()
            return port
        except OSError:
            continue
    raise BenchError("no TCP port free on 127.0.0.1..127.0.0.%d" % a.hosts)


class Nginx:
    def __init__(self, a, rundir, port):
        self.a = a
        self.prefix = os.path.join(rundir, "nginx")
        os.makedirs(os.path.join(self.prefix, "logs"), exist_ok=True)
        self.conf = os.path.join(self.prefix, "nginx.conf")
        self.access = os.path.join(self.prefix, "access.log")
        self.errlog = os.path.join(rundir, "nginx.log")
        self.port = port
        self.proc = None
        with open(os.path.join(HERE, "nginx.conf.in")) as f:
            conf = f.read()
        fields = {
            # As root, the master would hand the workers to "nobody", who may
            # not read a checkout under /root; a loopback bench server may
            # as well keep the caller's user.  Unprivileged, nginx cannot
            # switch user at all and warns if the directive is there.
            "USER": "user root;" if os.geteuid() == 0 else "",
            "WORKERS": str(a.nginx_workers),
            "PREFIX": self.prefix,
            "RUNDIR": rundir,
            "CORPUS": a.corpus,
            "GZIP_LEVEL": str(a.gzip_level),
            "GZIP_STATIC": "on" if a.gzip == "static" else "off",
            "ACCESS_LOG": (self.access + " bench") if a.access_log else "off",
            "LISTEN": "\n".join("        listen 127.0.0.%d:%d;" % (h, port)
                                for h in range(1, a.hosts + 1)),
        }
        for k, v in fields.items():
            conf = conf.replace("@%s@" % k, v)
        left = re.search(r"@[A-Z_]+@", conf)
        if left:
            raise BenchError("nginx.conf.in: unknown field %s" % left.group(0))
        with open(self.conf, "w") as f:
            f.write(conf)

    def start(self):
        if not os.access(self.a.nginx, os.X_OK):
            raise BenchError("%s: not found (Debian: apt-get install nginx-light)"
                             % self.a.nginx)
        err = open(self.errlog, "w")
        # A session of its own: Ctrl-C reaches the bench, which stops nginx
        # after its other children, instead of killing all at once.
        self.proc = subprocess.Popen(
            [self.a.nginx, "-p", self.prefix, "-c", self.conf, "-e", "stderr"],
            stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT,
            start_new_session=True)
        err.close()
        deadline = time.monotonic() + NGINX_START_S
        pending = set(range(1, self.a.hosts + 1))
        while pending:
            if self.proc.poll() is not None:
                raise BenchError("nginx exited with status %d; see %s:\n%s"
                                 % (self.proc.returncode, self.errlog,
                                    tail(self.errlog, 10)))
            for h in sorted(pending):
                try:
                    socket.create_connection(("127.0.0.%d" % h, self.port),
                                             timeout=0.5).close()
                    pending.discard(h)
                except OSError:
                    pass
            if pending:
                if time.monotonic() > deadline:
                    raise BenchError("nginx does not listen on 127.0.0.%d:%d "
                                     "after %.0f s; see %s"
                                     % (min(pending), self.port, NGINX_START_S,
                                        self.errlog))
                time.sleep(0.05)

    def pids(self):
        """The master and its workers."""
        out = [self.proc.pid]
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open("/proc/%s/stat" % d) as f:
                        st = f.read()
                except OSError:
                    continue
                if int(st.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    out.append(int(d))
        return out

    def cpu(self):
        """CPU seconds used so far by the master and its live workers."""
        tck = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                with open("/proc/%d/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
        return total / tck

    def log_offset(self):
        try:
            return os.path.getsize(self.access)
        except OSError:
            return 0

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGQUIT)  # graceful: finish requests
        try:
            self.proc.wait(NGINX_STOP_S)
        except subprocess.TimeoutExpired:
            log("nginx did not stop in %.0f s; killing it" % NGINX_STOP_S)
            self.proc.kill()
            self.proc.wait()


def access_stats(path, start, end, t0):
    """Counts the requests nginx logged between two offsets of its log;
    times are seconds since t0 (time.time() when the client started)."""
    st = {"requests": 0, "status": collections.Counter(), "conns": set(),
          "feeds": 0, "pages": 0, "gzip": 0, "bytes": 0, "uris": collections.Counter(),
          "missing": [], "feed_last": None, "page_first": None, "page_last": None}
    if end <= start:
        return st
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start).decode("utf-8", "replace")
    for line in data.splitlines():
        parts = line.split(" ", 8)
        if len(parts) < 9:
            continue
        msec, status, _method, uri, nbytes, conn, _creq, addr, rest = parts
        try:
            t = float(msec) - t0
        except ValueError:
            continue
        st["requests"] += 1
        st["status"][status] += 1
        st["conns"].add((addr, conn))
        st["bytes"] += int(nbytes) if nbytes.isdigit() else 0
        st["uris"][uri] += 1
        if uri.startswith("/feeds/"):
            st["feeds"] += 1
            st["feed_last"] = max(t, st["feed_last"] or t)
        elif uri.startswith("/a/"):
            st["pages"] += 1
            st["page_first"] = min(t, st["page_first"] or t)
            st["page_last"] = max(t, st["page_last"] or t)
        if "gzip" in rest.split('"')[1]:
            st["gzip"] += 1
        if status == "404" and len(st["missing"]) < LOG_SAMPLES:
            st["missing"].append(uri)
    return st


# ------------------------------------------------------------ measurement

_children = []  # Popen objects of measured children still running

# Peak RSS: Linux carries the high-water mark of the process image a child
# replaces across execve(), so wait4() on a child forked from this Python
# process reports at least Python's own RSS.  GNU time is small, so the
# command it forks starts from a small image and its %M is exact.  Without
# it, the child's VmHWM is sampled from /proc while it runs (a peak in its
# last few milliseconds can be missed).
TIME_BIN = "/usr/bin/time"
POLL_S = 0.01


RSS_SAMPLE_S = 0.1  # RSS timeline resolution


def vm_mb(pid, field):
    """VmHWM or VmRSS of pid in MB, or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        pass
    return None


def only_child(pid):
    """The pid of pid's one child (GNU time's command), or None."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except (OSError, ValueError):
        return None


def measure(cmd, out_path, err_path, timeout, rundir):
    """Runs cmd; returns (exit status, wall s, user+sys s, peak RSS MB,
    start time.time(), [(s, RSS MB)] sampled while it ran)."""
    name = os.path.basename(cmd[0])
    use_time = os.access(TIME_BIN, os.X_OK)
    rfile = os.path.join(rundir, "rusage.txt")
    if use_time:
        cmd = [TIME_BIN, "-f", "%U %S %M", "-o", rfile, "--"] + cmd
    fout = open(out_path, "w")
    ferr = open(err_path, "w")
    t0 = time.monotonic()
    start_epoch = time.time()
    # A session of its own, so that Ctrl-C reaches the bench only and the
    # bench can end the child and (with GNU time) its grandchild together.
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=fout,
                            stderr=ferr, start_new_session=True)
    fout.close()
    ferr.close()
    _children.append(proc)
    deadline = t0 + timeout
    hwm = None
    target = None if use_time else proc.pid
    samples = []
    next_sample = t0
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            break
        if target is None:
            target = only_child(proc.pid)
        if not use_time:
            hwm = vm_mb(proc.pid, "VmHWM") or hwm
        now = time.monotonic()
        if target is not None and now >= next_sample:
            rss = vm_mb(target, "VmRSS")
            if rss is not None:
                samples.append((now - t0, rss))
            next_sample = now + RSS_SAMPLE_S
        if time.monotonic() > deadline:
            log("%s: still running after %.0f s; ending it"
                % (name, timeout))
            os.killpg(proc.pid, signal.SIGKILL)
            pid, status, ru = os.wait4(proc.pid, 0)
            break
        time.sleep(POLL_S)
    wall = time.monotonic() - t0
    # Reaped here, not by Popen: keep it from waiting for the pid again.
    proc.returncode = os.waitstatus_to_exitcode(status)
    _children.remove(proc)
    cpu = ru.ru_utime + ru.ru_stime
    rss = hwm if hwm is not None else ru.ru_maxrss / 1024.0
    if use_time:
        try:
            with open(rfile) as f:
                u, s_, m = f.read().strip().splitlines()[-1].split()
            cpu, rss = float(u) + float(s_), int(m) / 1024.0
        except (OSError, ValueError, IndexError):
            pass  # killed: keep what wait4 said
    return proc.returncode, wall, cpu, rss, start_epoch, samples


def kill_children():
    for proc in list(_children):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
            os.waitpid(proc.pid, 0)
        except OSError:
            pass


def tail(path, n):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            lines = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-n:])
    except OSError:
        return ""


# ------------------------------------------------------------------ floor


def floor_binary(a):
    if a.floor:
        return a.floor
    src = os.path.join(HERE, "curl_floor.c")
    built = os.path.join(a.build, "bench", "curl_floor")
    if (os.access(built, os.X_OK)
            and os.path.getmtime(built) >= os.path.getmtime(src)):
        return built
    exe = os.path.join(a.out, "curl_floor")
    if os.access(exe, os.X_OK) and os.path.getmtime(exe) >= os.path.getmtime(src):
        return exe
    cc = os.environ.get("CC", "cc")
    try:
        flags = subprocess.check_output(["pkg-config", "--cflags", "--libs",
                                         "libcurl"], text=True).split()
    except (OSError, subprocess.CalledProcessError):
        raise BenchError("pkg-config libcurl failed (Debian: libcurl4-openssl-dev)")
    cmd = [cc, "-std=c17", "-D_POSIX_C_SOURCE=200809L", "-O2", "-Wall",
           "-Wextra", "-o", exe, src] + flags
    log("compiling the floor: " + " ".join(cmd))
    if subprocess.call(cmd) != 0:
        raise BenchError("cannot compile %s" % src)
    return exe


def run_floor(a, exe, urls, rundir, n, ngx):
    out = os.path.join(rundir, "floor-%d.out" % n)
    err = os.path.join(rundir, "floor-%d.log" % n)
    off0, cpu0 = ngx.log_offset(), ngx.cpu()
    code, wall, cpu, rss, t0, samples = measure(
        [exe, "-t", str(a.max_transfers), "-H", str(a.max_host_transfers), urls],
        out, err, a.timeout, rundir)
    time.sleep(0.2)  # nginx logs a request just after its last byte
    res = {"name": "floor", "code": code, "wall": wall, "cpu": cpu, "rss": rss,
           "nginx_cpu": ngx.cpu() - cpu0,
           "access": access_stats(ngx.access, off0, ngx.log_offset(), t0)}
    with open(out) as f:
        kv = dict(x.split("=", 1) for x in f.read().split() if "=" in x)
    res["kv"] = kv
    if code != 0:
        raise BenchError("the floor failed (status %d): %s\n%s"
                         % (code, err, tail(err, 10)))
    return res


# ---------------------------------------------------------------- winnowd


def write_conf(a, man, port, rundir, db):
    path = os.path.join(rundir, "winnowd.conf")
    lines = ["; written by bench/run_fetch.py for one bench run", "",
             "[daemon]", "log_level = %s" % a.log_level, "",
             "[store]", "path = %s" % db, "",
             "[plugins]", "dir = %s" % a.plugins, "",
             "[fetch]",
             "allow_private = yes          ; nginx is on loopback",
             "max_transfers = %d" % a.max_transfers,
             "max_host_transfers = %d" % a.max_host_transfers, ""]
    for fi, fd in enumerate(man["feeds"]):
        lines += ["[feed:%s]" % fd["name"],
                  "url = %s%s" % (origin(a, port, fi), fd["path"]),
                  "fetch_article = auto", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def db_counts(db):
    """Rows per table, reading the table names from sqlite_master."""
    if not os.path.exists(db):
        return None
    out = {}
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for name in names:
            try:
                out[name] = con.execute(
                    'SELECT count(*) FROM "%s"' % name.replace('"', '""')).fetchone()[0]
            except sqlite3.Error as e:
                out[name] = "error: %s" % e
    finally:
        con.close()
    return out


def run_winnowd(a, man, port, rundir, n, ngx):
    db = os.path.join(rundir, "bench-%d.db" % n)
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(db + suffix)
        except FileNotFoundError:
            pass
    conf = write_conf(a, man, port, rundir, db)
    out = os.path.join(rundir, "winnowd-%d.out" % n)
    err = os.path.join(rundir, "winnowd-%d.log" % n)
    off0, cpu0 = ngx.log_offset(), ngx.cpu()
    code, wall, cpu, rss, t0, samples = measure(
        [a.winnowd, "once", "-c", conf], out, err, a.timeout, rundir)
    time.sleep(0.2)
    res = {"name": "winnowd", "code": code, "wall": wall, "cpu": cpu, "rss": rss,
           "nginx_cpu": ngx.cpu() - cpu0, "log": err, "out": out, "db": db,
           "samples": samples,
           "access": access_stats(ngx.access, off0, ngx.log_offset(), t0)}
    try:
        res["tables"] = db_counts(db)
    except sqlite3.Error as e:
        res["tables"] = {"(unreadable)": str(e)}
    return res


LEVEL_RE = re.compile(r"^(<[0-4]>|.*\b(err|error|warn|warning|crit|fatal)\b)",
                      re.IGNORECASE)


SUMMARY_RE = re.compile(r"(\d+) articles stored \((\d+) from feed content\)")


def store_check(w, tables, ni, na):
    """Did winnowd store every item, and fetch exactly the K pages?

    Table names are not assumed: some table must hold a row per item.  The
    fetched pages are counted from winnowd's summary line when it has one
    ("N articles stored (M from feed content)"), else from a table of K rows.
    """
    counts = [v for v in tables.values() if isinstance(v, int)]
    items_ok = any(v >= ni for v in counts)
    print("winnowd: store check: %s table with >= %d rows (one per item)"
          % ("a" if items_ok else "NO", ni))
    summary = None
    for path in (w["out"], w["log"]):
        m = SUMMARY_RE.findall(tail(path, 5))
        if m:
            summary = (int(m[-1][0]), int(m[-1][1]))
            break
    if summary is not None:
        stored, from_feed = summary
        pages_ok = stored - from_feed == na and from_feed == ni - na
        print("winnowd: store check: %d articles from pages (expected %d), "
              "%d from feed content (expected %d): %s"
              % (stored - from_feed, na, from_feed, ni - na,
                 "ok" if pages_ok else "MISMATCH"))
    else:
        pages_ok = na in counts
        print("winnowd: store check: %s table with %d rows (the articles; no "
              "summary line found)" % ("a" if pages_ok else "NO", na))
    return items_ok and pages_ok


def log_problems(paths):
    """(count, samples) of lines that look like errors or warnings."""
    count = 0
    seen = collections.OrderedDict()
    for p in paths:
        try:
            with open(p, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if LEVEL_RE.search(line):
                        count += 1
                        # Group by shape: URLs and numbers vary.
                        key = re.sub(r"https?://\S+", "URL", line.strip())
                        key = re.sub(r"\d+", "N", key)
                        if key not in seen:
                            seen[key] = line.strip()
        except OSError:
            pass
    return count, list(seen.values())[:LOG_SAMPLES]


# ----------------------------------------------------------------- report


def fmt_rate(n, wall):
    return "%.0f" % (n / wall) if wall > 0 else "-"


def report(a, man, floors, wins):
    nf, ni, na = man["feeds_total"], man["items_total"], man["articles_total"]
    rows = []
    fw = statistics.median(r["wall"] for r in floors)

    def row(label, walls, cpus, rsss, ncpu):
        w = statistics.median(walls)
        return (label, fmt_rate(nf, w), fmt_rate(ni, w), fmt_rate(na, w),
                "%.2f" % w, "%.2f" % statistics.median(cpus),
                "%.1f" % max(rsss), "%.2f" % statistics.median(ncpu))

    rows.append(row("floor (median of %d)" % len(floors),
                    [r["wall"] for r in floors], [r["cpu"] for r in floors],
                    [r["rss"] for r in floors], [r["nginx_cpu"] for r in floors]))
    if wins:
        label = "winnowd once" + (" (median of %d)" % len(wins) if len(wins) > 1 else "")
        if any(r["code"] != 0 for r in wins):
            label += " (FAILED)"
        rows.append(row(label, [r["wall"] for r in wins], [r["cpu"] for r in wins],
                        [r["rss"] for r in wins], [r["nginx_cpu"] for r in wins]))
    head = ("", "feeds/s", "items/s", "articles/s", "wall s", "CPU s",
            "peak RSS MB", "nginx CPU s")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    print()
    print("corpus: %d feeds (%d Atom) x %d items = %d items, %d article pages "
          "(%.0f MB of pages, %.0f MB of feeds); %d host%s; max_transfers %d, "
          "max_host_transfers %d; nginx gzip %s, %d worker%s"
          % (nf, man["atom_feeds"], a.items, ni, na,
             man["article_bytes"] / 1e6, man["feed_bytes"] / 1e6, a.hosts,
             "s" if a.hosts > 1 else "", a.max_transfers, a.max_host_transfers,
             "static (precompressed, level %d)" % GZ_STATIC_LEVEL
             if a.gzip == "static" else "dynamic (level %d)" % a.gzip_level,
             a.nginx_workers, "s" if a.nginx_workers > 1 else ""))
    for r in [head] + rows:
        print("  ".join(str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i])
                        for i, c in enumerate(r)))
    print("floor wall s per run: " + " ".join("%.2f" % r["wall"] for r in floors))
    if len(wins) > 1:
        print("winnowd wall s per run: " + " ".join("%.2f" % r["wall"] for r in wins))
    fl = floors[0]
    print("floor: %s requests, %s failed, %.0f MB on the wire (%.0f MB "
          "decoded), %d connections"
          % (fl["kv"].get("urls"), fl["kv"].get("failed"),
             int(fl["kv"].get("wire_bytes", 0)) / 1e6,
             int(fl["kv"].get("body_bytes", 0)) / 1e6, len(fl["access"]["conns"])))
    if not wins:
        print("\nwinnowd: not run (--floor-only)")
        return 0

    ok = True
    w = wins[-1]
    acc = w["access"]
    print("winnowd: exit status %s; %d requests (%d feeds, %d pages, %d gzip), "
          "%d connections; status %s"
          % (", ".join(str(r["code"]) for r in wins), acc["requests"],
             acc["feeds"], acc["pages"], acc["gzip"], len(acc["conns"]),
             dict(sorted(acc["status"].items())) if acc["requests"] else "-"))
    if acc["feed_last"] is not None:
        print("winnowd: timeline: last feed served at %.1f s; pages served "
              "from %s to %s s; exit at %.1f s"
              % (acc["feed_last"],
                 "%.1f" % acc["page_first"] if acc["page_first"] is not None else "-",
                 "%.1f" % acc["page_last"] if acc["page_last"] is not None else "-",
                 w["wall"]))
    if w["samples"]:
        tenths = []
        for k in range(1, 11):
            upto = [r for t, r in w["samples"] if t <= w["wall"] * k / 10]
            tenths.append("%.0f" % upto[-1] if upto else "-")
        pt, pr = max(w["samples"], key=lambda x: x[1])
        print("winnowd: RSS MB at each tenth of the run: %s (sampled peak "
              "%.0f MB at %.1f s)" % (" ".join(tenths), pr, pt))
    dup = sum(c - 1 for c in acc["uris"].values() if c > 1)
    if dup:
        print("winnowd: %d duplicate requests (same URI twice or more)" % dup)
    if acc["missing"]:
        print("winnowd: fetched pages that do not exist (full-text items?): "
              + ", ".join(acc["missing"][:3]))
    tables = w.get("tables")
    if tables is None:
        print("winnowd: store: %s was not created" % w["db"])
        ok = False
    else:
        print("winnowd: store: " + (", ".join("%s=%s" % kv for kv in tables.items())
                                    or "no tables"))
        if not store_check(w, tables, ni, na):
            ok = False
    nprob, samples = log_problems([w["log"], w["out"]])
    print("winnowd: log %s: %d error/warning line%s"
          % (w["log"], nprob, "" if nprob == 1 else "s"))
    for s in samples:
        print("    " + (s if len(s) <= 200 else s[:197] + "..."))
    last = tail(w["out"], 3) or tail(w["log"], 3)
    if last:
        print("winnowd: last lines:")
        for s in last.splitlines():
            print("    " + s[:200])

    ww = statistics.median(r["wall"] for r in wins)
    ratio = ww / fw if fw > 0 else float("inf")
    rss = max(r["rss"] for r in wins)
    ran = all(r["code"] == 0 for r in wins)
    r_ok = ran and ratio <= TARGET_RATIO
    m_ok = ran and rss < TARGET_RSS_MB
    print()
    print("wall ratio winnowd/floor: %.2fx  (target <= %.0fx)  %s"
          % (ratio, TARGET_RATIO, "PASS" if r_ok else "FAIL"))
    print("winnowd peak RSS:         %.1f MB  (target < %.0f MB)  %s"
          % (rss, TARGET_RSS_MB, "PASS" if m_ok else "FAIL"))
    print("winnowd result:           %s" % ("PASS" if ok and ran else
                                            "FAIL (see the store check and the exit status)"))
    return 0 if (ok and ran and r_ok and m_ok) else 1


# ------------------------------------------------------------------- main


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_argument_group("corpus (regenerated when these change)")
    g.add_argument("--feeds", type=int, default=1000)
    g.add_argument("--items", type=int, default=20, help="items per feed")
    g.add_argument("--articles", type=int, default=5000,
                   help="items with an article page to fetch")
    g.add_argument("--atom-share", type=float, default=0.15)
    g.add_argument("--seed", default="1")
    g.add_argument("--regenerate", action="store_true",
                   help="generate the corpus even if the cached one matches")
    g = ap.add_argument_group("server")
    g.add_argument("--hosts", type=int, default=8,
                   help="spread feeds over 127.0.0.1..127.0.0.N (default 8; "
                        "1 = one server, where the per-host cap rules)")
    g.add_argument("--nginx", default="/usr/sbin/nginx")
    g.add_argument("--nginx-workers", type=int, default=1)
    g.add_argument("--gzip", choices=("dynamic", "static"), default="dynamic",
                   help="dynamic: nginx compresses every response (gzip on, "
                        "the default); static: nginx sends precompressed "
                        "FILE.gz (gzip_static), so the server costs little "
                        "CPU and the floor is the clients' own cost")
    g.add_argument("--gzip-level", type=int, default=1, choices=range(1, 10),
                   metavar="1-9", help="gzip_comp_level for --gzip dynamic "
                                       "(nginx default 1)")
    g.add_argument("--no-access-log", dest="access_log", action="store_false",
                   help="no request counts per run")
    g = ap.add_argument_group("clients")
    g.add_argument("--build", default=os.path.join(ROOT, "build"),
                   help="build folder (default ./build)")
    g.add_argument("--winnowd", help="default BUILD/winnowd")
    g.add_argument("--plugins", help="plugin folder (default BUILD/plugins)")
    g.add_argument("--floor", help="curl_floor binary (default: "
                   "BUILD/bench/curl_floor, else compiled into bench/out)")
    g.add_argument("--max-transfers", type=int, default=64)
    g.add_argument("--max-host-transfers", type=int, default=6)
    g.add_argument("--log-level", default="notice", help="winnowd [daemon] log_level")
    g.add_argument("--floor-runs", type=int, default=3)
    g.add_argument("--winnowd-runs", type=int, default=1)
    g.add_argument("--floor-only", action="store_true", help="do not run winnowd")
    g.add_argument("--timeout", type=float, default=600.0,
                   help="seconds allowed per client run (default 600)")
    ap.add_argument("--out", default=os.path.join(HERE, "out"),
                    help="cache and run folder (default bench/out)")
    ap.add_argument("--keep", action="store_true",
                    help="keep this run's feeds and databases in OUT/run")
    a = ap.parse_args(argv)
    if not 1 <= a.hosts <= MAX_HOSTS:
        ap.error("--hosts is 1..%d" % MAX_HOSTS)
    if a.floor_runs < 1 or a.winnowd_runs < 1:
        ap.error("at least one run of each")
    a.out = os.path.abspath(a.out)
    a.build = os.path.abspath(a.build)
    a.corpus = os.path.join(a.out, "corpus")
    a.winnowd = os.path.abspath(a.winnowd or os.path.join(a.build, "winnowd"))
    a.plugins = os.path.abspath(a.plugins or os.path.join(a.build, "plugins"))
    return a


def main(argv=None):
    a = parse_args(argv)

    def on_signal(signum, frame):
        raise Stop("signal %d" % signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    if not a.floor_only and not os.access(a.winnowd, os.X_OK):
        log("%s: not found; build it first (see bench/README.md) or use "
            "--floor-only" % a.winnowd)
        return 2
    os.makedirs(a.out, exist_ok=True)
    rundir = os.path.join(a.out, "run")
    shutil.rmtree(rundir, ignore_errors=True)
    os.makedirs(rundir)
    ngx = None
    try:
        man = ensure_corpus(a)
        if a.gzip == "static":
            ensure_gz(a, man)
        exe = floor_binary(a)
        port = free_port(a)
        urls = materialize(a, man, port, rundir)
        ngx = Nginx(a, rundir, port)
        ngx.start()
        log("nginx on 127.0.0.1..127.0.0.%d:%d serving %s; logs in %s"
            % (a.hosts, port, a.corpus, rundir))
        floors, wins = [], []
        for i in range(max(a.floor_runs, 0 if a.floor_only else a.winnowd_runs)):
            if i < a.floor_runs:
                r = run_floor(a, exe, urls, rundir, i + 1, ngx)
                log("floor run %d: %.2f s wall, %.2f s CPU, %.1f MB"
                    % (i + 1, r["wall"], r["cpu"], r["rss"]))
                floors.append(r)
            if not a.floor_only and i < a.winnowd_runs:
                r = run_winnowd(a, man, port, rundir, i + 1, ngx)
                log("winnowd run %d: status %d, %.2f s wall, %.2f s CPU, %.1f MB"
                    % (i + 1, r["code"], r["wall"], r["cpu"], r["rss"]))
                wins.append(r)
        rc = report(a, man, floors, wins)
    except BenchError as e:
        log(str(e))
        rc = 2
    except (KeyboardInterrupt, Stop):
        log("interrupted; stopping")
        rc = 2
    finally:
        kill_children()
        if ngx is not None:
            ngx.stop()
        if not a.keep:
            shutil.rmtree(os.path.join(rundir, "feeds"), ignore_errors=True)
            for name in os.listdir(rundir):
                if re.match(r"bench-\d+\.db", name):
                    os.unlink(os.path.join(rundir, name))
    return rc


if __name__ == "__main__":
    sys.exit(main())
