"""The playground's own settings (``PLAYGROUND_*``), read apart from the bot's.

Why apart: the bot's settings describe a deployment (a token, a database, admins). The playground
makes all of those up itself, so the only choices left to a person are where the page is served,
where its throw-away data lives and whether map tiles may come from the internet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError

DEFAULT_PORT = 8080


@dataclass(frozen=True)
class PlaygroundConfig:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path = Path("data/playground")
    #: OpenStreetMap tiles behind the map; off: only the kelurahan boundaries (nothing leaves).
    tiles: bool = False
    #: Open the page in a browser when a desktop is present.
    open_browser: bool = True

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "on", "yes", "true"):
        return True
    if raw in ("0", "off", "no", "false"):
        return False
    raise ConfigError(f"{name}={raw!r} is not on or off: use {name}=on or {name}=off")


def load_playground_config(env: Mapping[str, str]) -> PlaygroundConfig:
    host = (env.get("PLAYGROUND_HOST") or "127.0.0.1").strip()
    raw_port = (env.get("PLAYGROUND_PORT") or str(DEFAULT_PORT)).strip()
    if not raw_port.isdigit() or not 0 <= int(raw_port) <= 65535:
        raise ConfigError(
            f"PLAYGROUND_PORT={raw_port!r} is not a port: use a number such as 8080 (0: any free)"
        )
    data_dir = Path((env.get("PLAYGROUND_DATA") or "data/playground").strip())
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(f"PLAYGROUND_DATA={data_dir} is a file: point it at a folder")
    return PlaygroundConfig(
        host=host,
        port=int(raw_port),
        data_dir=data_dir,
        tiles=_flag(env, "PLAYGROUND_TILES", False),
        open_browser=_flag(env, "PLAYGROUND_OPEN_BROWSER", True),
    )
