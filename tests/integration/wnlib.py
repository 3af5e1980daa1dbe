"""Helpers shared by winnow's integration tests: a loopback server the test
starts and stops, temporary configurations, running winnowd, and reading
what it stored."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Server:
    """tests/integration/httpd.py on 127.0.0.1, started and stopped by us."""

    def __init__(self, root, host="127.0.0.1"):
        self.root = root
        tmp = tempfile.mkdtemp(prefix="wn-httpd-")
        self.log = os.path.join(tmp, "requests.log")
        self.headers_log = os.path.join(tmp, "headers.log")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "httpd.py"), "--root", root, "--log", self.log,
             "--host", host, "--headers-log", self.headers_log],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"PORT (\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError(f"httpd did not start: {line!r}")
        self.port = int(m.group(1))
        self.host = host
        self.base = f"http://{host}:{self.port}"

    def timed_requests(self):
        """[(path, status, unix time)] so far."""
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [(l.split()[1], int(l.split()[2]), float(l.split()[3]))
                    for l in f if l.strip()]

    def headers(self):
        """[{header: value, "path": path}] so far."""
        if not os.path.exists(self.headers_log):
            return []
        with open(self.headers_log) as f:
            return [json.loads(l) for l in f if l.strip()]

    def requests(self):
        """[(method, path, status)] so far."""
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [tuple(l.split()[:2]) + (int(l.split()[2]),) for l in f if l.strip()]

    def connections(self):
        """Connections the requests so far came on (client ports; the
        test's few connections do not live long enough to reuse one)."""
        if not os.path.exists(self.log):
            return 0
        with open(self.log) as f:
            return len({l.split()[4] for l in f if l.strip()})

    def clear(self):
        if os.path.exists(self.log):
            os.unlink(self.log)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers: a hung server."""

    def __init__(self):
        import socket
        import threading
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.conns = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def stop(self):
        self.sock.close()
        for c in self.conns:
            c.close()


def write_conf(path, store, plugins, feeds, extra="", store_keys=""):
    """feeds: [(name, url, fetch_article or None)]; store_keys: more
    [store] lines ("key = value\n" each)."""
    lines = ["[store]", f"path = {store}", *store_keys.splitlines(), "",
             "[plugins]", f"dir = {plugins}", "",
             "[fetch]", "allow_private = 127.0.0.1", "timeout = 20s",
             "connect_timeout = 5s", ""]
    if extra:
        lines.append(extra)
    for name, url, fa in feeds:
        lines += [f"[feed:{name}]", f"url = {url}"]
        if fa:
            lines.append(f"fetch_article = {fa}")
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def run(winnowd, *args, timeout=120, check=None):
    p = subprocess.run([winnowd, *args], capture_output=True, text=True, timeout=timeout)
    if check is not None and p.returncode != check:
        raise AssertionError(f"winnowd {' '.join(args)} exited {p.returncode}, wanted {check}\n"
                             f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def export(winnowd, conf):
    p = run(winnowd, "export", "-c", conf, check=0)
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def seeds(seeds_dir):
    """{'000': {'gold': str, 'removed': [lines], 'meta': dict}} from the shared seeds."""
    out = {}
    for name in sorted(os.listdir(seeds_dir)):
        m = re.match(r"(\d{3})_[0-9a-f]+\.gold\.txt$", name)
        if not m:
            continue
        stem = name[: -len(".gold.txt")]
        with open(os.path.join(seeds_dir, name), encoding="utf-8") as f:
            gold = f.read()
        with open(os.path.join(seeds_dir, stem + ".removed.txt"), encoding="utf-8") as f:
            removed = [l.strip() for l in f if l.strip()]
        with open(os.path.join(seeds_dir, stem + ".meta.json"), encoding="utf-8") as f:
            meta = json.load(f)
        out[m.group(1)] = {"gold": gold, "removed": removed, "meta": meta}
    return out


def check_against_seed(text, seed):
    """The acceptance rule of the foundation issue; returns a list of failures."""
    problems = []
    gold_paras = [p for p in seed["gold"].strip("\n").split("\n\n") if p.strip()]
    paras = [p for p in text.split("\n\n")]
    # every gold paragraph present, in order
    pos = 0
    for g in gold_paras:
        try:
            pos = paras.index(g, pos) + 1
        except ValueError:
            problems.append(f"missing or out of order: {g[:80]!r}")
    # no removed line more often than gold has it
    for line in seed["removed"]:
        have = sum(1 for p in paras if p.strip() == line)
        allowed = sum(1 for p in gold_paras if p.strip() == line)
        if have > allowed:
            problems.append(f"boilerplate kept: {line[:80]!r}")
    return problems


class TempDir:
    def __init__(self, prefix="wn-test-"):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        if os.environ.get("WN_KEEP_TEMP"):
            print(f"kept {self.path}", file=sys.stderr)
        else:
            shutil.rmtree(self.path, ignore_errors=True)
