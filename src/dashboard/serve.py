"""Start the Streamlit server for app.py: `python -m dashboard.serve [streamlit options]`.

Why not plain `streamlit run app.py`: Streamlit still treats a folder named `pages/` next to the
main script as a v1 multipage app until the first run of app.py calls `st.navigation`. A first
visitor arriving on a deep link (e.g. /targets?lang=en) would then get the page script alone,
without the language switch, filters or navigation. Declaring up front that the app uses
`st.navigation` makes every URL go through app.py.
"""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from dashboard.paths import ROOT


# Same variable as dashboard.ingest.MAX_UPLOAD_ENV (not imported: keeps the launcher light).
MAX_UPLOAD_ENV = "DASHBOARD_MAX_UPLOAD_MB"


def upload_limit_args(args: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """`--server.maxUploadSize N` from DASHBOARD_MAX_UPLOAD_MB, unless the options already set it.

    The server then refuses a larger upload itself (HTTP 413) before the app sees any byte;
    the app's reader applies the same limit in bytes. Without the variable, the value in
    .streamlit/config.toml (50 MB) applies.
    """
    if any(arg.startswith("--server.maxUploadSize") for arg in args):
        return []
    raw = ((os.environ if environ is None else environ).get(MAX_UPLOAD_ENV) or "").strip()
    try:
        megabytes = float(raw)
    except ValueError:
        return []
    if not math.isfinite(megabytes) or megabytes <= 0:
        return []
    return ["--server.maxUploadSize", str(max(1, math.ceil(megabytes)))]


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    args = list(sys.argv[1:] if argv is None else argv)
    args += upload_limit_args(args)
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *args]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()


def server_command(port: int) -> list[str]:
    """The command that runs this launcher on a loopback port (for tests, benchmarks, load runs)."""
    return [sys.executable, "-m", "dashboard.serve", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.headless", "true"]


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(process: subprocess.Popen, port: int, timeout: float = 90) -> bool:
    """True once the server on `port` answers its health check; False if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return True
        except OSError:
            if process.poll() is not None:
                return False
            time.sleep(0.2)
    return False


def stop_server(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a server started with `server_command`: terminate, and kill it if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
