"""The import page's column reference and templates come from the importer's own schemas (#17)."""

import csv
import io

import pytest
from openpyxl import load_workbook

from unseen.core import schemas
from unseen.documentation.import_guide import UnknownValue, column_guide, describe_value
from unseen.documentation.importing import KINDS, VOCABULARY, import_file

pytestmark = pytest.mark.django_db

# One valid record per kind, by column; every other column of the template is left blank.
VALID_ROW = {
    "deployments": {
        "host_country": "Russia",
        "year": "2017",
        "sector": "construction",
        "workers_low": "100",
        "workers_high": "200",
        "source": "Template test report",
        "confidence": "high",
    },
    "persons": {"record_id": "R-1", "sex": "f", "birth_year": "1990", "country": "RU"},
    "sources": {"title": "Template test report", "kind": "document", "date": "2019-05"},
    "organisations": {"name": "Example Trading", "kind": "trading_company", "aliases": "A; B"},
    "sites": {"name": "Logging camp", "kind": "logging_camp", "country": "RU"},
    "sightings": {"description": "Workers seen on a site", "country": "MN"},
    # Between records already here (`parties`), by name and by number.
    "relations": {
        "kind": "contracts_with",
        "subject_kind": "organisation",
        "subject": "Example Trading",
        "object": "organisation:{partner}",
        "start": "2016",
        "source_title": "Template test report",
    },
}


def parties(values: dict[str, str]) -> dict[str, str]:
    """The row with the records a relation names made first."""
    from unseen.registry.models import Organisation

    if "{partner}" not in values.get("object", ""):
        return values
    Organisation.objects.create(name="Example Trading", kind="trading_company")
    partner = Organisation.objects.create(name="Example Partner", kind="host_employer")
    return {**values, "object": values["object"].format(partner=partner.pk)}


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def test_every_kind_has_a_valid_row_here():
    assert set(VALID_ROW) == set(KINDS)


def test_every_column_of_every_kind_is_described():
    for kind in KINDS:
        guide = column_guide(kind)
        assert [c.name for c in guide] == schemas.SCHEMAS[kind](VOCABULARY).names
        assert all(c.value for c in guide), kind


def test_a_value_it_cannot_describe_is_an_error_not_a_blank():
    with pytest.raises(UnknownValue):
        describe_value(lambda text: text)


def test_the_reference_page_lists_each_kinds_columns_from_the_schemas(rita_client):
    response = rita_client.get("/app/import/columns/")
    assert response.status_code == 200
    page = response.content.decode()
    for kind in KINDS:
        section = page.split(f'data-kind="{kind}"', 1)[1].split("</section>", 1)[0]
        for column in schemas.SCHEMAS[kind](VOCABULARY).columns:
            assert f'data-column="{column.name}"' in section, (kind, column.name)
        assert f'href="/app/import/templates/{kind}.csv"' in section
        assert f'href="/app/import/templates/{kind}.xlsx"' in section
    sites = page.split('data-kind="sites"', 1)[1].split("</section>", 1)[0]
    kind_row = sites.split('data-column="kind"', 1)[1].split("</tr>", 1)[0]
    assert "logging_camp" in kind_row and "required" in kind_row


def test_the_import_page_links_the_reference_and_every_template(rita_client):
    page = rita_client.get("/app/import/").content.decode()
    assert 'href="/app/import/columns/"' in page
    for kind in KINDS:
        for extension in ("csv", "xlsx"):
            assert f'href="/app/import/templates/{kind}.{extension}"' in page


def filled_csv(template: bytes, values: dict[str, str]) -> bytes:
    header = next(csv.reader(io.StringIO(template.decode("utf-8"))))
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerow([values.get(name, "") for name in header])
    return text.getvalue().encode("utf-8")


def filled_xlsx(template: bytes, values: dict[str, str]) -> bytes:
    sheet = load_workbook(io.BytesIO(template)).active
    header = [cell.value for cell in sheet[1]]
    sheet.append([values.get(name, "") for name in header])
    data = io.BytesIO()
    sheet.parent.save(data)
    return data.getvalue()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_template_filled_with_a_valid_row_imports_without_errors(
    rita_client, tmp_path, kind, extension
):
    response = rita_client.get(f"/app/import/templates/{kind}.{extension}")
    assert response.status_code == 200
    assert f"unseen-{kind}.{extension}" in response["Content-Disposition"]
    template = response.content
    if extension == "csv":
        header = next(csv.reader(io.StringIO(template.decode("utf-8"))))
        filled = filled_csv(template, parties(VALID_ROW[kind]))
    else:
        header = [cell.value for cell in load_workbook(io.BytesIO(template)).active[1]]
        filled = filled_xlsx(template, parties(VALID_ROW[kind]))
    assert header == schemas.SCHEMAS[kind](VOCABULARY).names

    path = tmp_path / f"{kind}.{extension}"
    path.write_bytes(filled)
    result = import_file(path, kind)  # raises TableError, listing every bad cell, on any error
    assert result.rows == 1 and result.created[kind] == 1


def test_an_empty_template_is_refused_as_having_no_rows(rita_client, tmp_path):
    """Header only: nothing to import, said plainly rather than imported as nothing."""
    from unseen.core.tables import TableError

    path = tmp_path / "sources.xlsx"
    path.write_bytes(rita_client.get("/app/import/templates/sources.xlsx").content)
    with pytest.raises(TableError):
        import_file(path, "sources")


@pytest.mark.parametrize(
    "path", ["/app/import/templates/users.csv", "/app/import/templates/sources.ods"]
)
def test_an_unknown_kind_or_format_is_not_found(rita_client, path):
    assert rita_client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/app/import/columns/", "/app/import/templates/persons.csv"])
def test_only_those_who_may_import_get_the_reference_and_templates(client, personas, path):
    client.force_login(personas["andy"])
    assert client.get(path).status_code == 403
    client.logout()
    assert client.get(path).status_code in (302, 403)
