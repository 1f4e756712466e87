import pytest


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.UNSEEN_INTAKE_RATE_LIMIT = "1000/60"


@pytest.fixture
def mona_client(client, mona):
    client.force_login(mona)
    return client
