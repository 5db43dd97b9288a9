"""The layers' import rules, read from the source with ``ast`` (no module is imported).

Dependencies point one way: handlers → bot.domain → storage, with bot.telegram, bot.http and
bot.cli as adapters over bot.domain. So bot.domain never imports Telegram or an adapter; storage
imports neither Telegram nor anything of bot; and handlers write through services, never by
taking a storage repository of their own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = ("bot.telegram", "bot.http", "bot.cli", "handlers")


def _imports(package: str) -> Iterator[tuple[str, str, list[str]]]:
    """(file, imported module, names imported from it) for every import under ``package``,
    including those inside functions and ``TYPE_CHECKING`` blocks."""
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield where, alias.name, []
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield where, node.module, [alias.name for alias in node.names]


def _within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_domain_never_imports_telegram_or_an_adapter() -> None:
    found = [
        f"{where}: {module}"
        for where, module, _ in _imports("bot/domain")
        if _within(module, "telegram", *ADAPTERS)
    ]
    assert found == []


def test_storage_imports_neither_telegram_nor_bot() -> None:
    found = [
        f"{where}: {module}"
        for where, module, _ in _imports("storage")
        if _within(module, "telegram", "bot", "handlers")
    ]
    assert found == []


def test_handlers_take_no_storage_repository() -> None:
    """Writes go through a service on ``context.services``; reads through ``services.store``."""
    found = [
        f"{where}: {module}.{name}"
        for where, module, names in _imports("handlers")
        if _within(module, "storage")
        for name in names
        if name.endswith("Repository")
    ]
    assert found == []


def test_the_rules_see_imports() -> None:
    """The walk finds what it is looking for: the adapter over the domain does import both."""
    modules = {module for where, module, _ in _imports("bot/telegram")}
    assert any(_within(m, "telegram") for m in modules)
    assert any(_within(m, "bot.domain") for m in modules)


def test_the_package_never_imports_the_tests() -> None:
    """The built-in Bot API serves the playground from an installed package, where tests/ is
    not: it lives in bot/playground/botapi and the tests import it, never the other way."""
    found = [
        f"{where}: {module}"
        for package in ("bot", "handlers", "storage")
        for where, module, _ in _imports(package)
        if _within(module, "tests", "bench")
    ]
    assert found == []
