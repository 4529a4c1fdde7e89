"""`samtrygg serve` starts waitress, answers pages and static files, and does not expose media."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def samtrygg(*args) -> list[str]:
    return [sys.executable, "-c", "from samtrygg.cli import main; main()", *args]


@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}", DEBUG="0",
               MEDIA_ROOT=str(tmp_path / "media"))
    (tmp_path / "media" / "reports" / "1").mkdir(parents=True)
    (tmp_path / "media" / "reports" / "1" / "photo.jpg").write_bytes(b"private")
    return env


def test_serve_answers_pages_and_static_files(tmp_path, env):
    subprocess.run(samtrygg("migrate", "-v0"), cwd=tmp_path, env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(samtrygg("serve", "--port", str(port), "--threads", "2"), cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first_line = server.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first_line
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                status, body = get(f"{base}/login/")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert status == 200 and b"id_username" in body
        status, body = get(f"{base}/static/core/samtrygg.css")
        assert status == 200 and b"Samtrygg" in body
        assert get(f"{base}/static/vendor/leaflet/leaflet.js")[0] == 200
        assert get(f"{base}/media/reports/1/photo.jpg")[0] == 404  # media is never served publicly
        assert get(f"{base}/")[0] == 200  # redirect followed to the login page
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_refuses_a_bad_port(tmp_path, env):
    result = subprocess.run(samtrygg("serve", "--port", "70000"), cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "--port 70000" in result.stderr and "Traceback" not in result.stderr
