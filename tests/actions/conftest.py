import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert on the English source strings (the Swedish catalogue is produced separately)."""
    settings.LANGUAGE_CODE = "en"
