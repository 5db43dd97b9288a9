"""Who acts in a group and how numbers are read from what officers type: shared by the group
handlers."""

from __future__ import annotations

import re

from telegram import Update

from bot.domain.cases import Actor
from handlers.narrow import user_of

#: A report number as officers type it: "1042" or "#1042".
NUMBER = re.compile(r"#?(\d{1,12})")


def actor_of(update: Update, admin: bool) -> Actor:
    """The officer (or WargaLapor admin) behind an update, as the case history names them."""
    user = user_of(update)
    return Actor("admin" if admin else "officer", user.id, user.full_name)
