"""A throw-away PostgreSQL server on loopback for tests and benchmarks:
initdb into a temporary folder (as the postgres user when run as root,
since the server refuses to run as root), trust authentication, a free
port, stopped and removed afterwards.  Needs Debian's postgresql package."""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time


def bindir():
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    return None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class PgServer:
    def __init__(self):
        self.bin = bindir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.dir = tempfile.mkdtemp(prefix="wn-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            self.user = pw.pw_name
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self._run([os.path.join(self.bin, "initdb"), "-D", self.data, "-A", "trust",
                   "-U", "winnow", "-E", "UTF8", "--no-sync"])
        self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-w", "-t", "60",
                   "-l", os.path.join(self.dir, "server.log"),
                   "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} "
                         f"-c unix_socket_directories={self.dir} -c fsync=off "
                         f"-c max_connections=200", "start"])
        self.uri = f"postgresql://winnow@127.0.0.1:{self.port}/postgres"

    def _run(self, cmd):
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def psql(self, sql):
        cmd = [os.path.join(self.bin, "psql"), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
               self.uri, "-c", sql]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def stop(self):
        try:
            self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate",
                       "-w", "stop"])
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
