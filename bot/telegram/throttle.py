"""How many updates one person may send per minute, counted in memory.

Why beside MAX_REPORTS_PER_HOUR: that caps confirmed reports, but every message and press costs a
database read, often a write and an answer; one chat sending hundreds a minute would take the
single writer and the 30-per-second sending budget from everyone else. Every arrival counts, the
dropped ones too, so someone who keeps hammering stays slowed until they pause. Kept in memory
(a restart forgets, which is harmless) and bounded: the least recently seen people are forgotten
first.
"""

from __future__ import annotations

import enum
from collections import OrderedDict, deque
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)
MAX_PEOPLE = 20_000  # a few hundred kB; enough for every person active in the last minute


class Verdict(enum.Enum):
    PASS = "pass"
    WARN = "warn"  # the first update over the limit: tell them once
    DROP = "drop"


class _Person:
    __slots__ = ("arrivals", "warned")

    def __init__(self, limit: int) -> None:
        self.arrivals: deque[datetime] = deque(maxlen=limit)
        self.warned = False


class UpdateThrottle:
    def __init__(
        self, limit: int, window: timedelta = WINDOW, max_people: int = MAX_PEOPLE
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_people = max_people
        self._people: OrderedDict[int, _Person] = OrderedDict()

    def check(self, person_id: int, now: datetime) -> Verdict:
        person = self._people.get(person_id)
        if person is None:
            person = self._people[person_id] = _Person(self.limit)
            if len(self._people) > self.max_people:
                self._people.popitem(last=False)
        else:
            self._people.move_to_end(person_id)
        arrivals = person.arrivals
        over = len(arrivals) == self.limit and now - arrivals[0] < self.window
        arrivals.append(now)
        if not over:
            person.warned = False
            return Verdict.PASS
        if person.warned:
            return Verdict.DROP
        person.warned = True
        return Verdict.WARN
