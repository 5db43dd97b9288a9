"""Simulated citizens for the crash and fault soaks: they read the bot's prompts and cope with
silence the way people do.

A scripted citizen (``tests/helpers.file_report``) expects one answer per step and fails when the
bot is down or a reply got lost. A soak needs people who survive that, so a ``SoakCitizen`` acts
on what the bot last asked for (a category, a location, photos, a description, the summary) and,
when nothing usable comes back within its patience, does what a person would: taps the same button
again, or types /report, which offers to continue the report under way. It never reads the
database: every decision comes from the messages and buttons on its screen.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from dataclasses import dataclass, field

from tests.helpers import jpeg

# What the Indonesian prompts say (bot/locales/id.toml); one marker per state a citizen acts on.
CATEGORY, LOCATION, PHOTOS, DESCRIPTION, SUMMARY, BUSY, RESTORE, ERROR, IDLE = (
    "category",
    "location",
    "photos",
    "description",
    "summary",
    "busy",
    "restore",
    "error",
    "idle",
)
ERROR_TEXT = "Maaf, ada gangguan"  # common.error, as a message or as a button's popup
_POPUP_ERROR = object()
_MARKERS = (
    (ERROR, ERROR_TEXT),
    (BUSY, "Anda sedang membuat laporan"),
    (RESTORE, "Pulihkan atau mulai baru"),
    (SUMMARY, "Ringkasan:"),
    (DESCRIPTION, "Tulis penjelasan"),
    (PHOTOS, "📷 Kirim foto"),
    (PHOTOS, "kirim fotonya"),
    (LOCATION, "— di mana?"),
    (CATEGORY, "Pilih kategori"),
    (IDLE, "Mau melaporkan sesuatu?"),
)
#: A button each state is answered with (the state is stale once the bot took it away).
_NEEDS_BUTTON = {SUMMARY: "Kirim laporan", BUSY: "Lanjutkan", RESTORE: "Pulihkan"}

#: Every way the bot shows a citizen the reference of a filed report.
REFERENCE_SHOWN = (
    re.compile(r"Laporan #(\d+) diterima"),  # report.submitted
    re.compile(r"sudah terkirim sebagai #(\d+)"),  # report.submitted_already
    re.compile(r"baru saja Anda kirim sebagai #(\d+)"),  # report.double_submission
)
_PHOTO_COUNT = (
    re.compile(r"Foto (\d+)/\d+ tersimpan"),  # report.photo_received
    re.compile(r"sudah ada di laporan \((\d+)/\d+\)"),  # report.photo_duplicate
    re.compile(r"Sudah (\d+) foto"),  # report.ask_more_photos
)
#: A follow-up's sentence for each status (bot/locales/id.toml, followup.*), and the status label
#: the soaks count it under.
FOLLOWUPS = (
    (re.compile(r"^👀 Laporan #(\d+) .*sudah diterima", re.MULTILINE), "👀 Diterima"),
    (re.compile(r"^🔧 Laporan #(\d+) .*sedang dikerjakan", re.MULTILINE), "🔧 Dikerjakan"),
    (re.compile(r"^✅ Laporan #(\d+) .*sudah diselesaikan", re.MULTILINE), "✅ Selesai"),
    (re.compile(r"^⛔ Laporan #(\d+) .*ditolak", re.MULTILINE), "⛔ Ditolak"),
)
NOTE = re.compile(r"Catatan petugas untuk laporan #(\d+)")
ALERT_CARD = re.compile(r"^🚨 Laporan #(\d+)")


@dataclass(frozen=True)
class Plan:
    """One report a citizen means to file."""

    category: str  # the button label, e.g. "Banjir"
    category_key: str
    where: tuple[float, float]
    photos: int
    description: str


def state_of(message) -> str | None:
    """What a bot message asks the citizen to do, or None for anything else."""
    text = message.plain_text
    for state, marker in _MARKERS:
        if marker in text:
            return state
    return None


def references_in(text: str) -> set[int]:
    """The report references a message shows as filed."""
    return {int(m) for pattern in REFERENCE_SHOWN for m in pattern.findall(text)}


def button_data(message, label: str) -> str | None:
    """callback_data of the inline button whose label contains ``label`` (None if gone)."""
    for text, data in message.inline_buttons:
        if label.casefold() in text.casefold():
            return data
    return None


def reply_label(message, label: str) -> str | None:
    """The whole label of the reply-keyboard button containing ``label`` (None if absent)."""
    if message.has_inline_keyboard:
        return None
    for text in message.buttons:
        if label.casefold() in text.casefold():
            return text
    return None


def has_button(message, label: str) -> bool:
    return button_data(message, label) is not None or reply_label(message, label) is not None


def photo_count(text: str) -> int:
    for pattern in _PHOTO_COUNT:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return 0


def followups_seen(person) -> Counter:
    """(report, status label) -> how many follow-ups with that status the person received."""
    seen: Counter = Counter()
    for message in person.messages:
        for pattern, status in FOLLOWUPS:
            for ref in pattern.findall(message.plain_text):
                seen[int(ref), status] += 1
    return seen


def notes_seen(person) -> Counter:
    """report -> how many officers' notes about it the person received."""
    return Counter(int(ref) for m in person.messages for ref in NOTE.findall(m.plain_text))


def cards_seen(group) -> Counter:
    """report -> how many alert cards for it the group received."""
    return Counter(
        int(match.group(1))
        for m in group.messages
        if m.kind in ("text", "photo") and (match := ALERT_CARD.match(m.plain_text))
    )


@dataclass
class SoakCitizen:
    """A person filing ``plans`` one after another (see the module docstring)."""

    sandbox: object
    person: object
    number: int
    plans: list[Plan]
    rng: random.Random
    think: tuple[float, float] = (0.0, 0.0)
    patience: float = 4.0
    quiet: float = 0.15
    refs: list[int] = field(default_factory=list)
    nudges: int = 0
    log: list[str] = field(default_factory=list)
    _mark: int = 0
    _waiting: float = 0.0  # current patience: ``patience``, doubled per nudge in a row
    _last_press: tuple[object, str] | None = None
    _last_query: object | None = None  # the sandbox's record of the last button press
    _last_tap: str | None = None  # the last reply-keyboard label sent

    @property
    def user_id(self) -> int:
        return self.person.user_id

    async def run(self) -> list[int]:
        for plan in self.plans:
            self.refs.append(await self.file(plan))
        return self.refs

    async def file(self, plan: Plan, max_steps: int = 80) -> int:
        """File one report; returns the reference the bot showed."""
        start = len(self.person.state.bot_messages)
        self._waiting = self.patience
        await self._send("/report")
        for _ in range(max_steps):
            message = await self._answer(start)
            shown = self._shown(start)
            if shown:
                assert len(shown) == 1, f"{self.person}: two references for one report: {shown}"
                return shown.pop()
            if message is _POPUP_ERROR:
                state, seen = ERROR, "the button's popup says something went wrong"
            else:
                state = state_of(message) if message is not None else None
                seen = message.describe() if message is not None else "silence"
            self.log.append(f"{state} <- {seen}")
            if state in (None, ERROR, IDLE):
                await self._nudge()
            elif state == CATEGORY:
                await self._reply_button(message, plan.category)
            elif state == LOCATION:
                await self._do(self.person.share_location(*plan.where))
            elif state in (PHOTOS, DESCRIPTION):
                await self._photos_or_description(plan, message, state)
            elif state == SUMMARY:
                photos = f"{plan.photos} foto" if plan.photos else "tanpa foto"
                assert photos in message.plain_text, (
                    f"{self.person}: the summary lost or doubled a photo ({photos} expected):\n"
                    f"{message.plain_text}"
                )
                await self._reply_button(message, "Kirim laporan")
            elif state == BUSY:
                await self._press(message, "Lanjutkan")
            elif state == RESTORE:
                await self._press(message, "Pulihkan")
        raise AssertionError(
            f"{self.person} could not file a report in {max_steps} steps; last steps:\n"
            + "\n".join(self.log[-12:])
            + "\nchat:\n"
            + self.person.transcript()
        )

    async def _photos_or_description(self, plan: Plan, message, state: str) -> None:
        """Photos one by one, the last with the description as its caption (none: the
        description typed); a count the bot showed says how many it already has."""
        have = photo_count(message.plain_text)
        if state == DESCRIPTION and have == 0 and plan.photos:
            have = plan.photos - 1  # the prompt shows no count: the next photo says it
        if have < plan.photos:
            caption = plan.description if have == plan.photos - 1 else None
            seed = self.number * 10 + have
            await self._do(self.person.send_photo(jpeg(seed), caption=caption))
        else:
            await self._send(plan.description)

    def _shown(self, start: int) -> set[int]:
        found: set[int] = set()
        for message in self.person.state.bot_messages[start:]:
            found |= references_in(message.plain_text)
        return found

    def _actionable(self, message) -> bool:
        state = state_of(message)
        if state is None:
            return False
        needed = _NEEDS_BUTTON.get(state)
        if needed is not None and not has_button(message, needed):
            return False  # the bot already took this question away: its answer is on the way
        return not (state == CATEGORY and not message.buttons)

    async def _answer(self, start: int):
        """The latest actionable message after the last action, once the chat is quiet; None
        if the bot stays silent for ``patience`` seconds (or shows the reference)."""
        world = self.sandbox.world
        messages = self.person.state.bot_messages

        def latest():
            for message in reversed(messages[self._mark :]):
                if self._actionable(message):
                    return message
            return None

        found = await world.wait_for(
            lambda: self._shown(start) or latest() or self._popup_error(), self._waiting
        )
        if not found:
            return None
        self._waiting = self.patience
        if found is _POPUP_ERROR:
            return _POPUP_ERROR
        while True:  # let the rest of this answer arrive (a prompt often follows a note)
            count = len(messages)
            await world.wait_for(lambda count=count: len(messages) > count, self.quiet)
            if len(messages) == count:
                return latest()

    def _popup_error(self) -> object | None:
        """The bot answered the last button press with its "something went wrong" popup."""
        record = self._last_query
        if record is not None and record.answer and ERROR_TEXT in (record.answer["text"] or ""):
            return _POPUP_ERROR
        return None

    async def _pause(self) -> None:
        low, high = self.think
        if high > 0:
            await asyncio.sleep(self.rng.uniform(low, high))

    async def _do(self, action, tap: str | None = None) -> None:
        await self._pause()
        self._mark = len(self.person.state.bot_messages)
        self._last_press = self._last_query = None
        self._last_tap = tap
        await action

    async def _send(self, text: str) -> None:
        await self._do(self.person.send(text))

    async def _press(self, message, label: str) -> None:
        data = button_data(message, label)
        assert data is not None, f"no {label!r} button on {message.describe()}"
        await self._pause()
        self._mark = len(self.person.state.bot_messages)
        self._last_press = (message, label)
        self._last_tap = None
        # wait=0: the popup is not what the citizen waits for; the next prompt is.
        await self.person.press(message, data, wait=0)
        self._last_query = next(reversed(self.sandbox.world.callbacks.values()))

    async def _reply_button(self, message, label: str) -> None:
        """A reply-keyboard button sends its whole label as text."""
        full = reply_label(message, label)
        assert full is not None, f"no {label!r} button on {message.describe()}"
        await self._do(self.person.send(full), tap=full)

    async def _nudge(self) -> None:
        """No usable answer: tap the same button again if it is still there, else /report.
        Each nudge in a row makes the person more patient: a bot that is restarting or working
        through a backlog answers late, and nudging it harder only adds to the backlog."""
        self.nudges += 1
        self._waiting = min(self._waiting * 2, 2 * self.patience)
        if self._last_press is not None:
            message, label = self._last_press
            if button_data(message, label) is not None:
                await self._press(message, label)
                return
        if self._last_tap is not None:  # the same button again, as a person taps twice
            await self._do(self.person.send(self._last_tap), tap=self._last_tap)
            return
        await self._send("/report")


async def file_all(citizens: list[SoakCitizen], within: float, stagger: float = 0.0) -> None:
    """Run every citizen at once (each starting within ``stagger`` s); fail with the stuck
    ones' last steps and chats after ``within`` seconds."""

    async def run(citizen: SoakCitizen) -> None:
        await asyncio.sleep(citizen.rng.uniform(0, stagger))
        await citizen.run()

    tasks = [asyncio.create_task(run(citizen)) for citizen in citizens]
    done, stuck = await asyncio.wait(tasks, timeout=within)
    for task in stuck:
        task.cancel()
    for task in done:
        task.result()  # a citizen's own assertion (a lost photo, two references) fails here
    if stuck:
        raise AssertionError(
            f"{len(stuck)} citizens still filing after {within:g} s:\n"
            + "\n\n".join(
                f"{citizen.person}, {citizen.nudges} nudges; last steps:\n"
                + "\n".join(citizen.log[-8:])
                + "\nchat:\n"
                + citizen.person.transcript()
                for citizen, task in zip(citizens, tasks, strict=True)
                if task in stuck
            )
        )
