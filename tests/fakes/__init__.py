"""Local fakes of the outside services the bot may call; each serves HTTP on 127.0.0.1."""

from .nominatim import KNOWN_PLACES, FakeNominatim, FakePlace, ReceivedRequest, start_fake_nominatim

__all__ = ["KNOWN_PLACES", "FakeNominatim", "FakePlace", "ReceivedRequest", "start_fake_nominatim"]
