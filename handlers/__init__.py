"""Telegram I/O only: parse an update, call a service, render the answer from the catalogs."""
