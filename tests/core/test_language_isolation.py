"""Tests do not leak their language into the next test (see the ``_default_language`` fixture)."""

from django.utils import translation


def test_a_request_in_english(client, db):
    client.get("/oppna-data/", HTTP_ACCEPT_LANGUAGE="en")
    assert translation.get_language() == "en"


def test_the_next_test_is_back_in_swedish():
    assert translation.get_language() == "sv"
