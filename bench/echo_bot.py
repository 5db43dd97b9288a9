"""The framework floor: a bare python-telegram-bot echo bot, for bench/framework_floor.py.

Nothing of WargaLapor: ``ApplicationBuilder`` with the token and the sandbox's URLs, one
``MessageHandler`` that replies with the text, ``run_polling`` as ``python -m bot`` does. With
``ECHO_CONCURRENT=N`` (N > 1) PTB's own ``concurrent_updates(N)`` is on; otherwise updates are
handled one at a time, PTB's default.
"""

from __future__ import annotations

import logging
import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .base_file_url(os.environ["TELEGRAM_API_FILE_URL"])
    )
    concurrent = int(os.environ.get("ECHO_CONCURRENT", "1"))
    if concurrent > 1:
        builder = builder.concurrent_updates(concurrent)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
