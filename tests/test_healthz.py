import json

import unseen


def test_it_reports_database_and_migrations(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "status": "ok",
        "database": "ok",
        "migrations": "applied",
        "version": unseen.__version__,
    }
