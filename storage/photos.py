"""A photo as the bot keeps it: Telegram's ``file_id`` to send it again, ``file_unique_id`` to
know it when it comes back (the same picture sent twice).

One type for every photo a report gathers: the citizen's while drafting, an officer's "after"
photo or note, and a photo the case CLI attaches (whose ``file_id`` points at a local file until
its first upload).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PhotoRef:
    file_id: str
    file_unique_id: str
