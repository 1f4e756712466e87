"""Every URL × every persona: who is let in and who is refused.

The matrix below is the contract. A new URL without a row here fails
`test_it_has_a_row_for_every_url`, so no view ships without a decision on who may use it.
"""

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from unseen.accounts.access import declared_permission

ALL = {"anonymous", "alice", "rita", "andy", "mona", "nora"}
ROLES = {"alice", "rita", "andy", "mona"}
ADMINS = {"alice"}

# url name -> (method, personas allowed). Everyone else must be refused.
MATRIX: dict[str, tuple[str, set[str]]] = {
    "publishing:home": ("get", ALL),
    "healthz": ("get", ALL),
    "set_language": ("post", ALL),
    "accounts:login": ("get", ALL),
    "accounts:logout": ("post", ALL),
    "documentation:dashboard": ("get", ROLES),
}


def named_patterns(patterns=None, namespace=""):
    """(full name, pattern) for every named URL outside Django's admin."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


def admin_urls():
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
    return urls


def refused(response, login_path="/accounts/login/"):
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response.url.split("?")[0].endswith(login_path)


def test_it_has_a_row_for_every_url():
    names = {name for name, _ in named_patterns()}
    assert names == set(MATRIX), (
        f"URLs without a row: {names - set(MATRIX)}; rows without a URL: {set(MATRIX) - names}"
    )


def test_it_finds_a_declared_permission_on_every_view():
    undeclared = [
        name for name, pattern in named_patterns() if declared_permission(pattern.callback) is None
    ]
    assert undeclared == []


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("persona", sorted(ALL))
def test_it_lets_in_exactly_the_personas_of_the_matrix(client, personas, name, persona):
    method, allowed = MATRIX[name]
    if personas[persona] is not None:
        client.force_login(personas[persona])
    response = getattr(client, method)(reverse(name))
    assert response.status_code < 500
    if persona in allowed:
        assert not refused(response), f"{persona} was refused {name}"
    else:
        assert refused(response), f"{persona} was let into {name} ({response.status_code})"


@pytest.mark.parametrize("persona", sorted(ALL))
def test_it_keeps_everyone_but_administrators_out_of_the_admin(client, personas, persona):
    if personas[persona] is not None:
        client.force_login(personas[persona])
    for url in admin_urls():
        response = client.get(url)
        if persona in ADMINS:
            assert response.status_code == 200, url
        else:
            assert refused(response, login_path="/admin/login/"), f"{persona} reached {url}"


def test_it_refuses_an_anonymous_visitor_at_app(client, db):
    response = client.get("/app/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/app/")
