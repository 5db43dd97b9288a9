"""A typed ``CallbackContext`` so handlers say ``context.services.store``, not ``bot_data[...]``."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services
from storage.citizens import Citizen

SERVICES_KEY = "services"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    #: The citizen behind this update, as registered before the handlers ran (handlers/people.py):
    #: PTB builds one context per update and hands it to every handler group, so the handlers'
    #: language lookups need not read the row again.
    citizen: Citizen | None = None

    @property
    def services(self) -> Services:
        services: Services = self.bot_data[SERVICES_KEY]
        return services


def attach_services(
    application: Application[Any, Any, Any, Any, Any, Any], services: Services
) -> None:
    application.bot_data[SERVICES_KEY] = services
