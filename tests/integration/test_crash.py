#!/usr/bin/env python3
"""Crash safety: winnowd is killed with SIGKILL at random moments during busy
passes, many times, and restarted each time.  After every kill the database
passes PRAGMA integrity_check (and the FTS5 index its own check), every
article the daemon acknowledged is present, and nothing is stored twice; at
the end one clean pass stores every article exactly once.

What winnowd acknowledges: an article is acknowledged by the info line
`stored "TITLE" (N words, URL)`, which the writer's done callback logs only
after the transaction holding the article has committed (the sinks are fed
at the same point).

    test_crash.py [--kills N] [--feeds F] [--items I] [--seed S]

CTest runs 20 kills; bench/crash_soak.sh runs 200.
Environment: WN_WINNOWD, WN_PLUGIN_DIR (set by CTest).
"""
import argparse
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.path.abspath(os.environ.get("WN_PLUGIN_DIR", "build/plugins"))
ACK = re.compile(r'stored ".*" \(\d+ words, (http\S+)\)\s*$')


def acknowledged(log):
    with open(log, errors="replace") as f:
        return {m.group(1) for m in map(ACK.search, f) if m}


def check_index(db, synced):
    """The search index (a file of its own, written behind the store)
    passes its checks and indexes only committed articles (nothing is
    deleted in this test); once synced (after `once`) it holds exactly the
    store's articles."""
    c = sqlite3.connect(db + "-search")
    try:
        ok = c.execute("PRAGMA integrity_check").fetchall()
        assert ok == [("ok",)], f"search index integrity_check: {ok}"
        c.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        c.execute("ATTACH ? AS store", (db,))
        ahead = c.execute("SELECT count(*) FROM articles_fts f WHERE NOT EXISTS"
                          " (SELECT 1 FROM store.articles a"
                          "  WHERE a.id = f.rowid AND a.text = f.text)").fetchone()[0]
        assert ahead == 0, f"{ahead} index entries of articles the store does not have"
        if synced:
            off = c.execute("SELECT (SELECT count(*) FROM articles_fts)"
                            " - (SELECT count(*) FROM store.articles),"
                            " (SELECT count(*) FROM store.articles a"
                            "  LEFT JOIN articles_fts f ON f.rowid = a.id"
                            "  WHERE f.rowid IS NULL OR f.text IS NOT a.text)").fetchone()
            assert off == (0, 0), f"index against store (extra, missing): {off}"
    finally:
        c.close()


def check_db(db, acks, total_pages, synced=False):
    c = sqlite3.connect(db)
    try:
        ok = c.execute("PRAGMA integrity_check").fetchall()
        assert ok == [("ok",)], f"integrity_check: {ok}"
        if os.path.exists(db + "-search"):
            check_index(db, synced)
        urls = [r[0] for r in c.execute("SELECT url FROM articles")]
        assert len(urls) == len(set(urls)), "an article stored twice"
        dup = c.execute("SELECT hash, count(*) FROM articles GROUP BY hash "
                        "HAVING count(*) > 1").fetchall()
        assert not dup, f"the same text stored twice: {dup[:3]}"
        dup = c.execute("SELECT feed_id, guid, count(*) FROM items GROUP BY 1, 2 "
                        "HAVING count(*) > 1").fetchall()
        assert not dup, f"an item stored twice: {dup[:3]}"
        missing = acks - set(urls)
        assert not missing, f"{len(missing)} acknowledged articles missing: {sorted(missing)[:3]}"
        assert len(urls) <= total_pages
        return len(urls)
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--feeds", type=int, default=20)
    ap.add_argument("--items", type=int, default=40)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("WN_CRASH_SEED", "7")))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with wnlib.TempDir() as tmp:
        site = os.path.join(tmp, "site")
        feeds, pages = corpus.write_site(site, args.feeds, args.items, seed=args.seed)
        with wnlib.Server(site) as server:
            conf = os.path.join(tmp, "winnow.conf")
            db = os.path.join(tmp, "winnow.db")
            log = os.path.join(tmp, "winnowd.log")
            # Small batches and many transfers: many commits per second, so
            # kills land inside transactions, between them and in checkpoints.
            wnlib.write_conf(conf, db, PLUGINS,
                             [(n, f"{server.base}/{p}", "always") for n, p in sorted(feeds.items())],
                             extra="[schedule]\ninterval = 1h\n", store_keys="batch = 7\n")
            stored = 0
            for k in range(args.kills):
                with open(log, "a") as lf:
                    p = subprocess.Popen([WINNOWD, "run", "-c", conf, "--log-level", "info"],
                                         stdout=lf, stderr=lf)
                    # Kill early in the run, when the writer is busiest, and
                    # sometimes later.
                    time.sleep(rng.uniform(0.05, 0.4) if k % 4 else rng.uniform(0.3, 1.5))
                    p.send_signal(signal.SIGKILL)
                    p.wait()
                stored = check_db(db, acknowledged(log), len(pages))
                print(f"kill {k + 1}: {stored} articles stored, "
                      f"{len(acknowledged(log))} acknowledged", flush=True)
            # A clean run to the end: every article, once.
            for _ in range(3):
                p = wnlib.run(WINNOWD, "once", "-c", conf, timeout=600)
                stored = check_db(db, acknowledged(log), len(pages), synced=True)
                if stored == len(pages):
                    break
            assert stored == len(pages), f"{stored} of {len(pages)} articles after the final pass"
            print(f"ok: {args.kills} kills, {stored} articles, each once")


if __name__ == "__main__":
    main()
