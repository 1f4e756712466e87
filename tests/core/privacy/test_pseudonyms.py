import pytest

from unseen.core.privacy.pseudonyms import pseudonym, recipient_key


def test_it_gives_the_same_record_the_same_pseudonym_for_one_recipient():
    key = recipient_key("secret", "Seoul office")
    assert pseudonym(key, "person", 42) == pseudonym(
        recipient_key("secret", " seoul  OFFICE"), "person", 42
    )
    assert pseudonym(key, "person", 42).startswith("person-")


def test_it_gives_two_recipients_unrelated_pseudonyms():
    one = recipient_key("secret", "Seoul office")
    other = recipient_key("secret", "UN Panel of Experts")
    assert pseudonym(one, "person", 42) != pseudonym(other, "person", 42)
    assert pseudonym(one, "person", 42) != pseudonym(one, "site", 42)


def test_it_depends_on_the_secret():
    assert pseudonym(recipient_key("a", "x"), "person", 1) != pseudonym(
        recipient_key("b", "x"), "person", 1
    )


@pytest.mark.parametrize(("secret", "recipient"), [("", "x"), ("s", "  ")])
def test_it_refuses_an_empty_secret_or_recipient(secret, recipient):
    with pytest.raises(ValueError):
        recipient_key(secret, recipient)


def test_it_keys_the_public_release_apart_from_a_recipient_named_public():
    from unseen.core.privacy.pseudonyms import public_release_key

    assert public_release_key("secret") != recipient_key("secret", "public")
    assert public_release_key("secret") == public_release_key("secret")
    assert public_release_key("a") != public_release_key("b")


def test_it_gives_each_export_its_own_pseudonyms_unless_linkable():
    from unseen.core.privacy.pseudonyms import export_key

    key = recipient_key("secret", "Seoul office")
    once, twice = export_key(key), export_key(key)
    assert pseudonym(once, "person", 42) != pseudonym(twice, "person", 42)
    assert pseudonym(export_key(key, linkable=True), "person", 42) == pseudonym(key, "person", 42)
