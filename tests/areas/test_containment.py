"""Which active areas and places hold a point (``assignment.containment``, run for every report submitted)."""

import pytest
from shapely import Polygon

from samtrygg.areas import assignment
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, PlaceFactory, square

pytestmark = pytest.mark.django_db


def test_the_active_areas_and_places_around_a_point_by_code():
    city = AreaFactory(code="b-city", geometry=square(CENTRE_X, CENTRE_Y, 5000))
    west = AreaFactory(code="a-west", geometry=square(CENTRE_X - 1000, CENTRE_Y, 900))
    east = AreaFactory(code="c-east", geometry=square(CENTRE_X + 1000, CENTRE_Y, 900))
    AreaFactory(code="d-closed", geometry=square(CENTRE_X - 1000, CENTRE_Y, 900), is_active=False)
    park = PlaceFactory(code="park", geometry=square(CENTRE_X - 1000, CENTRE_Y, 50))
    # Its bounding box holds the point, the polygon does not: an L-shaped park.
    corners = [(-1100, -100), (-900, -100), (-900, -80), (-1080, -80), (-1080, 100), (-1100, 100)]
    PlaceFactory(code="l-park", geometry=Polygon([(CENTRE_X + dx, CENTRE_Y + dy) for dx, dy in corners]))
    found = assignment.containment(CENTRE_X - 1000, CENTRE_Y)
    assert list(found.area_codes.items()) == [(west.pk, "a-west"), (city.pk, "b-city")]
    assert found.place_ids == [park.pk]
    assert found.applies_to(CENTRE_X - 1000, CENTRE_Y) and not found.applies_to(CENTRE_X, CENTRE_Y)

    outside = assignment.containment(CENTRE_X + 9000, CENTRE_Y)
    assert outside.area_codes == {} and outside.place_ids == []
    assert assignment.containing(CENTRE_X + 1000, CENTRE_Y) == ([city.pk, east.pk], [])
