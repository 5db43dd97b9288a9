"""A huge POST costs the real bot no memory: ``python -m bot`` with ``HTTP_PORT`` set, its peak
resident memory (``VmHWM`` in ``/proc/PID/status``) read before and after.

Bodies of 200 MB are streamed from a generator (the test holds 64 KB of them at a time), once
with a ``Content-Length`` (refused before a byte is read) and once chunked (cut off at the
route's limit), to every POST route: Open311, the update API, the staff forms and the webhook.
The webhook refuses a wrong secret before reading anything. That answers come before the body
is even sent is shown over a raw socket in tests/test_http_limits.py.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.http.webhook import SECRET_HEADER, WEBHOOK_PATH
from tests.test_webhook import SECRET, spawn_webhook_bot

HUGE = 200 * 1024 * 1024
CHUNK = b"x" * (64 * 1024)
MB = 1024 * 1024

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")


def peak_rss(pid: int) -> int:
    """The process's high-water mark of resident memory, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


class Body:
    """``size`` bytes, 64 KB at a time (what is answered early is dropped by the server as it
    arrives, unparsed: see bot/http/protocol.py)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.size:
            self.sent += len(CHUNK)
            yield CHUNK


async def post_huge(
    http: httpx.AsyncClient, path: str, *, declared: bool, headers: dict[str, str] | None = None
) -> httpx.Response:
    body = Body(HUGE)
    sent_headers = {"content-type": "application/json", **(headers or {})}
    if declared:
        sent_headers["content-length"] = str(HUGE)
    return await http.post(path, content=body, headers=sent_headers)


def assert_error(answer: httpx.Response, status: int) -> None:
    assert answer.status_code == status, answer.text
    [error] = answer.json()
    assert error["code"] == status and error["description"]


@pytest.fixture
async def served(sandbox, tmp_path) -> AsyncIterator[tuple[int, int]]:
    """(pid, port) of ``python -m bot`` in webhook mode: every POST route is mounted."""
    process, port = await spawn_webhook_bot(sandbox, tmp_path / "w.sqlite3")
    try:
        yield process.pid, port
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()


ROUTES = ["/open311/v2/requests.json", "/api/v1/requests/1/updates", WEBHOOK_PATH]
STAFF_FORM = "/staff/reports/1/status"  # no session: refused before its body is read


async def test_huge_bodies_are_refused_without_being_held(served):
    pid, port = served
    timeout = httpx.Timeout(30.0)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=timeout) as http:
        # Every route once with a small body, so what it loads on first use is counted before.
        for path in [*ROUTES, STAFF_FORM]:
            small = await http.post(path, json={}, headers={SECRET_HEADER: SECRET})
            assert small.status_code < 500, (path, small.text)
        before = peak_rss(pid)
        seen = []
        for path in ROUTES:
            for declared in (True, False):
                answer = await post_huge(
                    http, path, declared=declared, headers={SECRET_HEADER: SECRET}
                )
                grown = (peak_rss(pid) - before) / MB
                seen.append((path, "Content-Length" if declared else "chunked", answer, grown))
        staff = await post_huge(http, STAFF_FORM, declared=False)
        wrong = await post_huge(
            http, WEBHOOK_PATH, declared=False, headers={SECRET_HEADER: "wrong"}
        )
    report = "\n".join(f"{p} {how}: {a.status_code}, peak +{g:.1f} MB" for p, how, a, g in seen)
    assert all(grown < 10 for *_, grown in seen), report
    for *_, answer, _ in seen:
        assert_error(answer, 413)
    assert 400 <= staff.status_code < 500, staff
    assert_error(wrong, 403)
    assert peak_rss(pid) - before < 10 * MB
