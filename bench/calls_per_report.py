"""Citizen actions and Bot API calls per report: the conversation, the alert, and their total.

Why it matters: Telegram lets a bot send about 30 messages a second in all, so the calls one
report costs are also how many reports a second the city can take at peak.

The real bot (``build_application``, in this process like the tests' ``bot`` fixture) long-polls
the sandbox (the fake Bot API of the tests) on a temporary database. Kelurahan Gambir has a
linked group with an officer registered through a real invite, so each report's alert is sent.
One new citizen per path drives a report from its first message to the reference, at Monas:

* ``/start``: the welcome, its "make a report" button, then the report;
* ``/report``: the command, then the report;
* quick report: a photo sent outside a report (with the description as its caption).

The citizen reads what the bot last showed and does what it asks, the way a person would: taps
"make a report" (or, in the flow before issue 13, yes to the quick report), taps the category
(Banjir), shares the location, sends a photo with the description as its caption, taps Done if
there is one, types the description when asked, taps send. So the same script measured the flow
before and after. Each thing the citizen sends (a message, a press) is one
action, the opening ``/start`` or ``/report`` (or the quick report's photo) included.

What is counted: every request the bot makes to the Bot API that sends, edits, deletes or answers
(``send*`` except ``sendChatAction``, ``edit*``, ``delete*``, ``answerCallbackQuery``,
``copyMessage``, ``forwardMessage``, ``setMessageReaction``), failed ones included, from the
citizen's first action until the alert has reached the group and both chats have been quiet for
a second. Calls to the citizen's chat (presses' answers included) are the conversation; calls to
the group are the alert. Not counted: ``getUpdates``, ``getMe``, ``getChatMember``, ``getFile``,
``setMyCommands``, and ``sendChatAction`` (a typing indicator, listed apart when there is one).

Run: python bench/calls_per_report.py
Goal (issue 13): at most 9 calls per report from /start, alert included.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Figure, load_note
from bot.playground.botapi import BotMessage, Person, Sandbox, start_sandbox
from bot.playground.botapi.records import Call
from storage.groups import Scope
from tests.conftest import TOKEN, RunningBot, make_settings
from tests.helpers import DESCRIPTION, MONAS, jpeg

GAMBIR = Scope("kelurahan", "3173080003")
#: Points in Kelurahan Gambir at least 500 m apart, one per path, so no path's report is offered
#: as "the same problem nearby" to the next (a step that would change the flow).
POINTS = (MONAS, (-6.1710, 106.8230), (-6.1790, 106.8320))
GOAL = 9
QUIET = 1.0  # seconds both chats stay quiet before the count is closed
NOT_COUNTED = frozenset({"sendchataction"})
COUNTED_EXACT = frozenset(
    {"answercallbackquery", "copymessage", "forwardmessage", "setmessagereaction"}
)
REFERENCE = re.compile(r"(?:Laporan|Report) #(\d+) (?:diterima|received)")


def counted(method: str) -> bool:
    """A call that sends, edits, deletes or answers (see the module docstring)."""
    name = method.lower()
    if name in NOT_COUNTED:
        return False
    return name in COUNTED_EXACT or name.startswith(("send", "edit", "delete"))


@dataclass
class Path_:
    """One way into a report and what it cost."""

    name: str
    actions: list[str] = field(default_factory=list)
    conversation: Counter[str] = field(default_factory=Counter)
    alert: Counter[str] = field(default_factory=Counter)
    elsewhere: Counter[str] = field(default_factory=Counter)
    chat_actions: int = 0
    reference: int | None = None

    @property
    def total(self) -> int:
        return sum(self.conversation.values()) + sum(self.alert.values())

    def lines(self) -> list[str]:
        def spell(counter: Counter[str]) -> str:
            return ", ".join(f"{method} {n}" for method, n in sorted(counter.items())) or "none"

        return [
            f"{self.name}: report #{self.reference}",
            f"  citizen actions: {len(self.actions)} ({' → '.join(self.actions)})",
            f"  Bot API calls in the conversation: {sum(self.conversation.values())}"
            f" ({spell(self.conversation)})",
            f"  Bot API calls for the alert: {sum(self.alert.values())} ({spell(self.alert)})",
            f"  total per report: {self.total}"
            + (f"; other chats: {spell(self.elsewhere)}" if self.elsewhere else "")
            + (f"; sendChatAction (not counted): {self.chat_actions}" if self.chat_actions else ""),
        ]


class StuckCitizen(AssertionError):
    """The bot showed something the citizen does not know how to answer."""


def _has(message: BotMessage, *labels: str) -> str | None:
    """The first button of ``message`` containing one of ``labels`` (case-insensitive)."""
    for label in message.buttons:
        for wanted in labels:
            if wanted.casefold() in label.casefold():
                return label
    return None


async def _settled(sandbox: Sandbox, person: Person) -> None:
    await sandbox.world.settle(person.chat_id, 0.3, 1.2, 20)


async def drive(
    sandbox: Sandbox, person: Person, path: Path_, opening: str, where: tuple[float, float]
) -> int:
    """Act on what the bot shows until it gives the reference; returns it."""
    photo_sent = False
    if opening == "photo":
        path.actions.append("photo with caption")
        await person.send_photo(jpeg(1), caption=DESCRIPTION)
        photo_sent = True
    else:
        path.actions.append(opening)
        await person.send(opening)
    for _ in range(20):
        await _settled(sandbox, person)
        for message in reversed(person.messages[-4:]):
            match = REFERENCE.search(message.plain_text)
            if match:
                return int(match.group(1))
        latest = person.messages[-1]  # what the bot asks now, with its own buttons
        text = latest.plain_text
        tap = _has(latest, "Kirim laporan", "Buat laporan", "Ya, buat laporan", "Banjir")
        if tap is not None:
            path.actions.append(f"tap {tap!r}")
            await person.tap(tap, message=latest)
        elif _has(latest, "Kirim lokasi saya"):
            path.actions.append("share location")
            await person.share_location(*where)
        elif photo_sent and (label := _has(latest, "Selesai")) is not None:
            path.actions.append(f"tap {label!r}")
            await person.send(label)
        elif not photo_sent and "foto" in text.lower():
            path.actions.append("photo with caption")
            await person.send_photo(jpeg(1), caption=DESCRIPTION)
            photo_sent = True
        elif "penjelasan" in text.lower() or "Jelaskan" in text:
            path.actions.append("type the description")
            await person.send(DESCRIPTION)
        else:
            raise StuckCitizen(f"{path.name}: what now?\n{person.transcript()}")
    raise StuckCitizen(f"{path.name}: no reference after 20 steps\n{person.transcript()}")


async def alert_delivered(sandbox: Sandbox, group_chat: int, reference: int) -> None:
    """Wait for the alert's card, then until both chats have been quiet for QUIET seconds."""
    state = sandbox.world.chats[group_chat]

    def card() -> bool:
        return any(
            f"#{reference}" in m.plain_text and m.kind in ("text", "photo")  # the card
            for m in state.bot_messages
        )

    if not await sandbox.world.wait_for(card, 30):
        raise StuckCitizen(f"no alert for #{reference}:\n{sandbox.world.transcript(group_chat)}")
    while True:
        last = len(sandbox.world.calls)
        await asyncio.sleep(QUIET)
        if len(sandbox.world.calls) == last or all(
            not counted(c.method) for c in sandbox.world.calls[last:]
        ):
            return


def tally(path: Path_, calls: list[Call], citizen: int, group: int) -> None:
    for call in calls:
        if call.method.lower() == "sendchataction":
            path.chat_actions += 1
        if not counted(call.method):
            continue
        if call.chat_id == citizen:
            path.conversation[call.method] += 1
        elif call.chat_id == group:
            path.alert[call.method] += 1
        else:
            path.elsewhere[call.method] += 1


async def officer_for(sandbox: Sandbox, admin: Person) -> Person:
    """An officer of Kelurahan Gambir, registered through a real invite link."""
    officer = sandbox.citizen(first_name="Budi")
    await admin.send(f"/invite {GAMBIR.key}")
    created = await admin.next_message()
    link = next(word for word in created.plain_text.split() if word.startswith("https://t.me/"))
    await officer.send("/start " + link.split("start=")[1])
    answer = await officer.next_message()
    if "petugas" not in answer.plain_text:
        raise StuckCitizen(f"officer not registered: {answer.describe()}")
    return officer


async def run(args: argparse.Namespace) -> list[Path_]:
    sandbox = await start_sandbox(token=TOKEN)
    folder = tempfile.TemporaryDirectory(prefix="wargalapor-bench-calls-")
    admin = sandbox.citizen(first_name="Admin", started=True)
    settings = make_settings(
        sandbox,
        Path(folder.name) / "wargalapor.sqlite3",
        ADMIN_USER_IDS=str(admin.user_id),
        LOG_LEVEL="WARNING",
    )
    bot = RunningBot(settings)
    await bot.start()
    results = []
    try:
        store = bot.services.store
        group = sandbox.group(title="Kelurahan Gambir")
        group.add_member(admin, status="administrator")
        await store.groups.link(group.chat_id, [GAMBIR], "Kelurahan Gambir", admin.user_id)
        group.add_member(await officer_for(sandbox, admin))
        print(f"Kelurahan Gambir linked, with an officer; {load_note()}")
        paths = (
            ("from /start", "/start"),
            ("from /report", "/report"),
            ("quick report (a photo first)", "photo"),
        )
        for (name, opening), where in zip(paths, POINTS, strict=True):
            person = sandbox.citizen(first_name="Siti", language_code="id")
            path = Path_(name)
            first = len(sandbox.world.calls)
            started = time.monotonic()
            path.reference = await drive(sandbox, person, path, opening, where)
            await alert_delivered(sandbox, group.chat_id, path.reference)
            tally(path, sandbox.world.calls[first:], person.chat_id, group.chat_id)
            for line in path.lines():
                print(line)
            print(f"  ({time.monotonic() - started:.1f} s)")
            results.append(path)
            if args.transcript:
                print(person.transcript())
    finally:
        await bot.stop()
        await sandbox.close()
        folder.cleanup()
    return results


def figures(results: list[Path_]) -> list[Figure]:
    rows = []
    for path in results:
        goal = f"≤ {GOAL}" if path.name == "from /start" else "—"
        rows.append(
            Figure(
                f"calls per report, {path.name}",
                goal,
                f"{len(path.actions)} citizen actions; {sum(path.conversation.values())}"
                f" conversation + {sum(path.alert.values())} alert = {path.total} Bot API calls",
                path.total <= GOAL if path.name == "from /start" else None,
            )
        )
    return rows


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcript", action="store_true", help="print each citizen's chat")
    return parser


def measure(quick: bool = False) -> list[Figure]:
    """For run_all.py."""
    return figures(asyncio.run(run(parser().parse_args([]))))


def main() -> None:
    results = asyncio.run(run(parser().parse_args()))
    for row in figures(results):
        print(f"{row.benchmark}: {row.figure} (goal {row.goal})")


if __name__ == "__main__":
    main()
