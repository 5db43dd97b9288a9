"""Outbox throughput under Telegram's flood limits: follow-ups per second, 429s, dead rows.

The real bot long-polls the sandbox (the fake Bot API of the tests) on a temporary database; the
sandbox enforces Telegram's limits (``limits.enable()``: 30 messages/s overall, 1/s per private
chat with bursts of 3, 20/min per group) and answers 429 with retry_after beyond them. Setup:
``--citizens`` citizens who have started the bot, ``--reports`` reports (stored through
``ReportRepository.submit``, without alerts), each citizen following ``--follows`` of them through
``CasesService.follow``. With the bot's scheduler paused, one ``CasesService.change_status`` per
report fans out a follow-up row to each of its followers (``--rows`` in all); then the scheduler
resumes, the delivery is woken, and the clock runs until the last follow-up reaches the sandbox
and every row is recorded as sent or dead.

Run: python bench/outbox_throughput.py [--rows 600] [--reports 20] [--follows 1]
Goal: as close to 30 messages/s as the limits allow, 0 answers 429, 0 dead rows.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.cases import Actor, Outcome
from bot.playground.botapi import Person, start_sandbox
from storage.drafts import Draft
from tests.conftest import TOKEN, RunningBot, make_settings

# Around Monas: every report lands in a kelurahan, so follow-ups name a responsible unit.
CENTRE = (-6.1754, 106.8272)


def peak_per_second(times: list[float]) -> int:
    """The most messages in any one-second window (what the sandbox's global limit counts)."""
    times, best, first = sorted(times), 0, 0
    for last, moment in enumerate(times):
        while times[first] <= moment - 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


async def setup(bot: RunningBot, people: list[Person], args: argparse.Namespace) -> list[int]:
    """Citizens, reports and followers; returns the report ids."""
    rng = random.Random(args.seed)
    services = bot.services
    store = services.store
    for person in people:
        await store.citizens.ensure(person.user_id, person.chat_id, "id")
    keys = sorted(services.categories)
    refs = []
    for i in range(args.reports):
        reporter = people[i % len(people)]
        lat, lon = CENTRE[0] + rng.uniform(-0.01, 0.01), CENTRE[1] + rng.uniform(-0.01, 0.01)
        area = services.areas.locate(lat, lon)
        draft = Draft(
            user_id=reporter.user_id,
            chat_id=reporter.chat_id,
            token=f"bench-throughput-{i}",
            step="summary",
            category_key=keys[i % len(keys)],
            lat=lat,
            lon=lon,
            description=f"Laporan uji beban nomor {i}",
        )
        refs.append(
            await store.reports.submit(
                draft, area_code=area.code if area else None, description=draft.description or ""
            )
        )
    # Citizen c follows reports c, c + 1, ... (mod R): every report gets rows / R followers.
    for c, person in enumerate(people):
        for k in range(args.follows):
            ref = refs[(c + k) % len(refs)]
            await services.cases.follow(ref, person.user_id)
    return refs


async def run(args: argparse.Namespace) -> dict:
    if args.rows % args.follows or args.rows % args.reports:
        raise SystemExit("--rows must be a multiple of --follows and of --reports")
    sandbox = await start_sandbox(token=TOKEN)
    folder = tempfile.TemporaryDirectory(prefix="wargalapor-bench-")
    settings = make_settings(sandbox, Path(folder.name) / "wargalapor.sqlite3", LOG_LEVEL="WARNING")
    bot = RunningBot(settings)
    await bot.start()
    try:
        people = [sandbox.citizen(started=True) for _ in range(args.rows // args.follows)]
        started = time.perf_counter()
        refs = await setup(bot, people, args)
        store = bot.services.store
        scheduler = bot.app.job_queue.scheduler
        scheduler.pause()  # nothing is delivered until every row is in
        actor = Actor(kind="agency", id=None, name="Bench")
        for ref in refs:
            result = await bot.services.cases.change_status(
                ref, "acknowledged", actor, note="Petugas sedang menuju lokasi"
            )
            assert result.outcome is Outcome.CHANGED, result.outcome
        rows = [row for row in await store.outbox.rows(kind="followup") if row.state == "pending"]
        print(
            f"{len(rows)} follow-up rows pending for {len(people)} citizens"
            f" ({args.follows} each) over {len(refs)} reports;"
            f" setup {time.perf_counter() - started:.1f} s"
        )
        sandbox.limits.enable()
        sends_before = len(sandbox.calls_to("sendMessage"))
        woken = time.monotonic()
        scheduler.resume()
        bot.services.waker()

        def arrived() -> int:
            return sum(len(person.state.bot_messages) for person in people)

        await sandbox.world.wait_for(lambda: arrived() >= len(rows), args.timeout)
        while True:  # until every row is recorded as sent or dead
            states = Counter(row.state for row in await store.outbox.rows(kind="followup"))
            if states["sent"] + states["dead"] >= len(rows):
                break
            if time.monotonic() - woken > args.timeout:
                break
            await asyncio.sleep(0.2)
        settled = time.monotonic() - woken
        times = sorted(m.sent_at for p in people for m in p.state.bot_messages)
        calls = sandbox.calls_to("sendMessage")[sends_before:]
        print(
            f"delivered {len(times)} of {len(rows)}: last message {times[-1] - woken:.1f} s"
            f" after the wake-up, every row settled after {settled:.1f} s"
        )
        print(
            f"throughput: {len(times) / (times[-1] - woken):.1f} messages/s from the wake-up,"
            f" {(len(times) - 1) / (times[-1] - times[0]):.1f} from first to last message;"
            f" peak in one second: {peak_per_second(times)} delivered,"
            f" {peak_per_second([call.at for call in calls])} attempted"
        )
        retried = sum(1 for row in await store.outbox.rows(kind="followup") if row.attempts > 1)
        print(
            f"sendMessage calls: {len(calls)}; 429 answers: {sandbox.limits.served_429};"
            f" rows sent {states['sent']}, dead {states['dead']},"
            f" unfinished {sum(states.values()) - states['sent'] - states['dead']},"
            f" retried by the outbox {retried}"
        )
        return {
            "delivered": len(times),
            "rows": len(rows),
            "rate": (len(times) - 1) / (times[-1] - times[0]),
            "from_wake": len(times) / (times[-1] - woken),
            "peak": peak_per_second(times),
            "served_429": sandbox.limits.served_429,
            "dead": states["dead"],
        }
    finally:
        await bot.stop()
        await sandbox.close()
        folder.cleanup()


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600, help="follow-up rows (default 600)")
    parser.add_argument("--reports", type=int, default=20, help="reports changed (default 20)")
    parser.add_argument(
        "--follows", type=int, default=1, help="reports each citizen follows (default 1)"
    )
    parser.add_argument("--timeout", type=float, default=150.0, help="give up after (s)")
    parser.add_argument("--seed", type=int, default=5)
    return parser


def measure(quick: bool = False) -> list:
    """For run_all.py. Met: no 429, no dead row, and at least 25/s (the bot's own cap is a
    burst of 2 then 26/s, below Telegram's 30)."""
    from bench.harness import Figure

    result = asyncio.run(run(parser().parse_args(["--rows", "200"] if quick else [])))
    return [
        Figure(
            f"outbox throughput: {result['rows']} follow-ups, sandbox enforcing Telegram's limits",
            "≈ 30 messages/s, 0 × 429, 0 dead",
            f"{result['rate']:.1f} messages/s ({result['delivered']} of {result['rows']}),"
            f" peak {result['peak']} in one second, {result['served_429']} × 429,"
            f" {result['dead']} dead",
            result["served_429"] == 0 and result["dead"] == 0 and result["rate"] >= 25,
        )
    ]


def main() -> None:
    asyncio.run(run(parser().parse_args()))


if __name__ == "__main__":
    main()
