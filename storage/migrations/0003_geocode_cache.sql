-- Answers of the network geocoder, so a repeated address or point costs no request (Nominatim's
-- usage policy allows 1 request/s and asks clients to cache). Times are UTC ISO-8601 text.

CREATE TABLE geocode_cache (
    kind       TEXT NOT NULL,   -- search | reverse
    query      TEXT NOT NULL,   -- normalised query text, or "lat,lon" rounded to 5 decimals
    result     TEXT,            -- JSON; NULL when the geocoder found nothing
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, query)
);
CREATE INDEX geocode_cache_created ON geocode_cache(created_at);
