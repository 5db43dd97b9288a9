"""Places: where a point lies and who answers for it.

- :mod:`~bot.geo.areas` — point in polygon over the bundled kelurahan boundaries (``AreaIndex``);
- :mod:`~bot.geo.directory` — the area directory: kelurahan, kecamatan and kota scopes, name
  lookups for ``/link`` and ``/invite``, the group chats that must hear about a report;
- :mod:`~bot.geo.geocoding` — typed addresses to points and back: the offline geocoder over
  kelurahan names, and the choice of geocoder;
- :mod:`~bot.geo.nominatim` — the Nominatim geocoder: paced, cached in SQLite, falling back
  offline;
- :mod:`~bot.geo.places` — how a place reads to people ("Kel. Gambir, Kec. Gambir, …").
"""
