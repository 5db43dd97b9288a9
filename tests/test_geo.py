"""Area lookup: the four sanity points of ATTRIBUTION.md and a point outside Jakarta."""

import json

import pytest

from bot.geo.areas import AreaFileError, AreaIndex


@pytest.fixture(scope="module")
def areas():
    return AreaIndex.load()


@pytest.mark.parametrize(
    ("lat", "lon", "kelurahan"),
    [
        (-6.1754, 106.8272, "Gambir"),
        (-6.1352, 106.8133, "Pinangsia"),
        (-6.3125, 106.8201, "Ragunan"),
        (-6.1045, 106.8818, "Tanjung Priuk"),
    ],
)
def test_sanity_points(areas, lat, lon, kelurahan):
    area = areas.locate(lat, lon)
    assert area is not None and area.name == kelurahan


def test_bandung_is_outside(areas):
    assert areas.locate(-6.9147, 107.6098) is None
    assert len(areas.areas) == 268


def test_a_feature_without_a_name_is_refused_by_number(tmp_path):
    bad = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "1", "district": "D", "city": "C"},
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
            }
        ],
    }
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(bad))
    with pytest.raises(AreaFileError, match=r"feature #1: property name is missing"):
        AreaIndex.load(path)


def test_broken_geometry_is_refused_naming_the_feature(tmp_path):
    bad = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "1", "name": "Gambir", "district": "D", "city": "C"},
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]},
            }
        ],
    }
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(bad))
    with pytest.raises(AreaFileError, match=r"feature #1 \(Gambir\)"):
        AreaIndex.load(path)
