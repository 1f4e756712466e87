"""The API reference page: public, made from the OpenAPI document, no script."""

import pytest

from unseen.config.api import document

pytestmark = pytest.mark.django_db


def test_the_reference_lists_every_operation_of_the_document(client):
    answer = client.get("/api/v1/reference/")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/html")
    page = answer.content.decode()
    for path, item in document()["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                assert f'id="{item[method]["operationId"]}"' in page, (method, path)
    assert "<script" not in page.split("</main>")[0].split('<main id="main"')[1]
    # Permission and scope of a write, and a request body's fields with types.
    assert "<code>edit_records</code>" in page
    assert "<code>write</code>" in page
    assert "<code>host_country</code>" in page
    assert "DeploymentsBulk" in page


def test_the_reference_is_linked_from_every_page(client):
    assert 'href="/api/v1/reference/"' in client.get("/").content.decode()
