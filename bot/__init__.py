"""WargaLapor: the application layer (configuration, wiring, domain services, geo, i18n, CLI)."""
