"""One slow geocoder: does a citizen whose typed address waits on Nominatim hold up the others?

GEOCODER=nominatim against the fake Nominatim of the tests answering after ``--delay`` seconds.
One citizen types an address at the location step (and right after it sends /help in the same
chat); while the bot waits on the geocoder, ``--others`` citizens start a report (/report, then a
category). Both ways: CONCURRENT_UPDATES=1 and 64. Prints how long the others waited, and whether
the slow chat's answers kept its order (the venue and the "found" question before the /help
answer).

Run: python bench/slow_geocoder.py [--others 20] [--delay 3]
(or as part 2 of bench/framework_floor.py, ``--only geocoder``).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    BotSilent,
    Citizen,
    Figure,
    Inbox,
    load_note,
    percentile,
    wargalapor_bot,
    warm_up,
)
from bot.playground.botapi import start_sandbox
from tests.conftest import TOKEN
from tests.fakes.nominatim import start_fake_nominatim

SLOW_ADDRESS = "Jalan Medan Merdeka Barat"  # known to the fake Nominatim


@dataclass
class SlowResult:
    concurrent: int
    others: list[float]  # latency of each other citizen's steps
    first_steps: list[float]  # their first step, sent while the geocoder was busy
    slow: float  # the slow citizen's address → "found" question
    in_order: bool
    order: list[str]


async def slow_geocoder_once(args: argparse.Namespace, concurrent: int) -> SlowResult:
    sandbox = await start_sandbox(token=TOKEN)
    nominatim = await start_fake_nominatim()
    folder = tempfile.TemporaryDirectory(prefix="wargalapor-bench-geocoder-")
    bot = wargalapor_bot(
        sandbox,
        Path(folder.name),
        CONCURRENT_UPDATES=str(concurrent),
        GEOCODER="nominatim",
        NOMINATIM_URL=nominatim.url,
        NOMINATIM_USER_AGENT="wargalapor-bench",
        GEOCODER_TIMEOUT=str(args.delay * 3),
    )
    inbox = Inbox(sandbox)
    await bot.start()
    try:
        await warm_up(sandbox, inbox, "/help")
        slow = Citizen(sandbox.citizen(first_name="Lambat"), inbox, (0.0, 0.0))
        (menu,) = await slow.step("/report", lambda: slow.person.send("/report"))
        await slow.press("category", menu, "Banjir")
        others = [
            Citizen(sandbox.citizen(first_name=f"Warga{i}"), inbox, (0.0, 0.0))
            for i in range(args.others)
        ]
        nominatim.delay(args.delay)
        searches = len(nominatim.requests)
        before = len(slow.state.bot_messages)
        typed_at = time.monotonic()
        await slow.person.send(SLOW_ADDRESS)
        await slow.person.send("/help")  # same chat: must be answered after the address
        # The others start once the bot is inside the geocoder call (the fake only records it).
        while len(nominatim.requests) == searches:  # noqa: ASYNC110
            await asyncio.sleep(0.005)

        async def other(citizen: Citizen) -> None:
            (menu,) = await citizen.step("/report", lambda: citizen.person.send("/report"))
            await citizen.press("category", menu, "Sampah")

        await asyncio.gather(*(other(c) for c in others))
        if not await inbox.wait(slow.state, before + 3, args.delay * 4 + 30):
            raise BotSilent("slow citizen: no answer\n" + slow.person.transcript())
        answer = slow.state.bot_messages[before : before + 3]
        order = [
            "venue"
            if m.kind == "venue"
            else "found"
            if m.has_inline_keyboard
            else "help"
            if "/report" in m.plain_text
            else m.plain_text[:30]
            for m in answer
        ]
        return SlowResult(
            concurrent,
            [s.latency for c in others for s in c.steps],
            [c.steps[0].latency for c in others],
            answer[1].sent_at - typed_at,
            order == ["venue", "found", "help"],
            order,
        )
    finally:
        await bot.stop()
        await inbox.close()
        await nominatim.close()
        await sandbox.close()
        folder.cleanup()


async def slow_geocoder(args: argparse.Namespace) -> list[SlowResult]:
    print(
        f"one citizen's typed address waits {args.delay:g} s on the geocoder; {args.others} others"
        f" start a report meanwhile; {load_note()}"
    )
    results = []
    for concurrent in (1, 64):
        result = await slow_geocoder_once(args, concurrent)
        ms = [x * 1000 for x in result.first_steps]
        print(
            f"CONCURRENT_UPDATES={concurrent:<3} others' first answer: p50"
            f" {statistics.median(ms):6.0f} ms, max {max(ms):6.0f} ms; all their steps p99"
            f" {percentile(result.others, 0.99) * 1000:6.0f} ms | slow citizen's address answered"
            f" after {result.slow:.2f} s | slow chat's answers in order: {result.in_order}"
            f" ({', '.join(result.order)})"
        )
        results.append(result)
    return results


def slow_figures(slow_results: list[SlowResult]) -> list[Figure]:
    rows = []
    if slow_results:
        seq, conc = slow_results
        rows.append(
            Figure(
                "slow geocoder: others' wait while one address takes the geocoder's delay",
                "no citizen waits for another",
                f"sequential max {max(seq.first_steps) * 1000:.0f} ms; per-chat concurrent max"
                f" {max(conc.first_steps) * 1000:.0f} ms (p99 of all their steps"
                f" {percentile(conc.others, 0.99) * 1000:.0f} ms)",
                max(conc.first_steps) < min(seq.first_steps),
            )
        )
        rows.append(
            Figure(
                "slow geocoder: the slow chat's own updates in order",
                "in order",
                f"sequential {'in order' if seq.in_order else 'OUT OF ORDER'}, concurrent"
                f" {'in order' if conc.in_order else 'OUT OF ORDER'}",
                seq.in_order and conc.in_order,
            )
        )
    return rows


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--others", type=int, default=20, help="citizens beside the slow one")
    parser.add_argument("--delay", type=float, default=3.0, help="geocoder delay, s (3)")
    return parser


def main() -> None:
    asyncio.run(slow_geocoder(parser().parse_args()))


if __name__ == "__main__":
    main()
