"""Serve the generated pages with nginx on 127.0.0.1, as a foreground child process."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

INSTALL_COMMANDS = (
    ("apt-get", "update", "-q"),
    ("apt-get", "install", "-y", "-q", "nginx-light"),
)
FALLBACK_INSTALL = ("apt-get", "install", "-y", "-q", "nginx")
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return next((p for p in NGINX_CANDIDATES if Path(p).exists()), None)


def ensure_nginx(log: Path) -> str:
    """Return the nginx binary, installing Debian's nginx-light (or nginx) when missing."""
    found = find_nginx()
    if found:
        return found
    print("nginx not found: installing Debian's nginx-light with apt-get (one time)", flush=True)
    with log.open("ab") as out:
        for command in INSTALL_COMMANDS:
            if subprocess.run(command, stdout=out, stderr=out, timeout=600).returncode:
                subprocess.run(FALLBACK_INSTALL, stdout=out, stderr=out, timeout=600, check=True)
                break
    found = find_nginx()
    if not found:
        raise SystemExit(f"nginx is still missing after apt-get; see {log}")
    return found


def nginx_version(binary: str) -> str:
    result = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=10)
    return (result.stderr or result.stdout).strip().removeprefix("nginx version: ")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def render_config(root: Path, work: Path, port: int, workers: int = 2) -> str:
    """An nginx.conf that serves `root` statically, with ETag validators and no access log."""
    temp = "\n".join(
        f"    {kind}_temp_path {work}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
daemon off;
master_process on;
worker_processes {workers};
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ text/html html; }}
    default_type application/octet-stream;
    charset utf-8;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    etag on;
    # RFC 9110 semantics (not modified since the given date), so a client that sends its
    # own snapshot time as If-Modified-Since gets a 304 too, as urlwatch does.
    if_modified_since before;
{temp}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
        location / {{ }}
    }}
}}
"""


def wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"nginx exited with status {process.returncode} at startup")
        try:
            status = httpx.get(url, timeout=1.0).status_code
        except httpx.TransportError:
            time.sleep(0.05)
            continue
        if status != 200:
            raise SystemExit(f"nginx answered {url} with {status}; see its error.log")
        return
    raise SystemExit(f"nginx did not answer {url} within {timeout:.0f}s")


@contextmanager
def serve(binary: str, root: Path, work: Path, probe_path: str) -> Iterator[int]:
    """Run nginx in the foreground for the duration of the block; yield its port."""
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(render_config(root, work, port), encoding="utf-8")
    process = subprocess.Popen(
        [binary, "-c", str(conf), "-p", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=(work / "stderr.log").open("wb"),
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}{probe_path}", process, timeout=15)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
