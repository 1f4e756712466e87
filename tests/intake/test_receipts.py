"""Receipt codes are kept only as a digest keyed outside the database (#15 item 4)."""

import hashlib
import io

import pytest
from django.db import connection

from tests.conftest import write_key
from unseen.intake.models import normalise_receipt
from unseen.intake.receiving import find_by_receipt, receive_sighting


def plain_sha256(receipt: str) -> str:
    return hashlib.sha256(normalise_receipt(receipt).encode()).hexdigest()


def every_stored_text() -> str:
    """Every value of every intake submission row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM intake_submission")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


@pytest.mark.django_db
def test_a_receipt_is_stored_keyed_and_still_finds_its_report(settings, tmp_path):
    received = receive_sighting({"description": "Forty workers at the port"})
    stored = every_stored_text()
    assert plain_sha256(received.receipt) not in stored
    assert received.receipt.replace("-", "") not in stored.replace("-", "")
    assert find_by_receipt(received.receipt.lower()) == received.submission

    # Another key (a stolen database without the key file) finds nothing.
    elsewhere = tmp_path / "elsewhere" / "receipt.key"
    write_key(elsewhere)
    settings.UNSEEN_RECEIPT_KEY_FILE = str(elsewhere)
    assert find_by_receipt(received.receipt) is None


@pytest.mark.django_db
def test_only_keys_init_makes_the_receipt_key_and_never_a_readable_one(settings, tmp_path):
    from django.core.management import call_command

    from unseen.intake.receipts import ReceiptKeyError

    key_file = tmp_path / "keys" / "receipt.key"
    settings.UNSEEN_RECEIPT_KEY_FILE = str(key_file)
    with pytest.raises(ReceiptKeyError, match="unseen keys init"):
        receive_sighting({"description": "Workers at the port"})
    assert not key_file.exists()
    call_command("keys", "init", stdout=io.StringIO())
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.parent.stat().st_mode & 0o777 == 0o700
    receive_sighting({"description": "Workers at the port"})
    key_file.chmod(0o644)
    with pytest.raises(ReceiptKeyError, match="chmod 600"):
        receive_sighting({"description": "Workers at the port"})


@pytest.mark.django_db
def test_the_key_can_come_from_the_environment(settings):
    received = receive_sighting({"description": "Workers at the shipyard"})
    settings.UNSEEN_RECEIPT_KEY = "A" * 43
    assert find_by_receipt(received.receipt) is None
