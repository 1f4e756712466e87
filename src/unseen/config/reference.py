"""`/api/v1/reference/`: the API's reference for people, rendered from the OpenAPI document.

The same `config.api.document()` the programs read, turned into one plain page under the site's
own template: operations grouped by tag, each with its method and path, who may call it (the
capability and the token scope), its parameters and the fields it takes and answers with. No
script, nothing fetched from elsewhere (the site's CSP holds), readable offline and on a phone.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from unseen.accounts.access import PUBLIC, public

from .api import document

METHODS = ("get", "post", "put", "patch", "delete")
TICKED = re.compile(r"`([^`]+)`")


def text(value: str) -> SafeString:
    """The document's prose as HTML: escaped, with its `code` in <code>."""
    return mark_safe(TICKED.sub(r"<code>\1</code>", str(escape(value))))  # noqa: S308 - escaped


MAX_DEPTH = 3  # nested objects shown to this depth; deeper ones by name only


@dataclass
class Row:
    name: str
    type: str
    required: bool
    description: SafeString
    depth: int = 0


@dataclass
class Answer:
    status: str
    description: SafeString
    type: str
    fields: list[Row]


@dataclass
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: SafeString
    permission: str
    scope: str | None
    parameters: list[Row]
    body_type: str
    body: list[Row]
    answers: list[Answer]


@dataclass
class Group:
    tag: str
    operations: list[Operation] = field(default_factory=list)


class Schemas:
    """Reads types out of the document's schemas, following `$ref`s."""

    def __init__(self, components: dict[str, Any]):
        self.components = components

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            return self.components.get(ref.rsplit("/", 1)[-1], {})
        return schema

    def type_of(self, schema: dict[str, Any]) -> str:
        if "$ref" in schema:
            return schema["$ref"].rsplit("/", 1)[-1]
        for combined in ("anyOf", "oneOf"):
            if combined in schema:
                return " | ".join(self.type_of(part) for part in schema[combined])
        if "enum" in schema:
            return " | ".join(f'"{value}"' for value in schema["enum"])
        kind = schema.get("type")
        if isinstance(kind, list):
            return " | ".join(kind)
        if kind == "array":
            return f"list of {self.type_of(schema.get('items', {}))}"
        if kind == "object" and "additionalProperties" in schema and not schema.get("properties"):
            values = schema["additionalProperties"]
            inner = self.type_of(values) if isinstance(values, dict) else "any"
            return f"object of {inner}"
        text = kind or "any"
        if schema.get("format"):
            text += f" ({schema['format']})"
        return text

    def _objects(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        """The object schemas a field's value may be (through refs, unions and lists)."""
        schema = self.resolve(schema)
        if schema.get("properties"):
            return [schema]
        found: list[dict[str, Any]] = []
        for combined in ("anyOf", "oneOf", "allOf"):
            for part in schema.get(combined, []):
                found.extend(self._objects(part))
        if schema.get("type") == "array":
            found.extend(self._objects(schema.get("items", {})))
        return found

    @staticmethod
    def _description(schema: dict[str, Any]) -> str:
        if schema.get("description"):
            return str(schema["description"])
        for combined in ("anyOf", "oneOf"):
            for part in schema.get(combined, []):
                if part.get("description"):
                    return str(part["description"])
        return ""

    def fields(self, schema: dict[str, Any], depth: int = 0) -> list[Row]:
        rows: list[Row] = []
        for obj in self._objects(schema)[:1]:
            required = set(obj.get("required", []))
            for name, prop in obj.get("properties", {}).items():
                rows.append(
                    Row(
                        name,
                        self.type_of(prop),
                        name in required,
                        text(self._description(prop)),
                        depth,
                    )
                )
                if depth + 1 < MAX_DEPTH:
                    rows.extend(self.fields(prop, depth + 1))
        return rows


def _body(operation: dict[str, Any]) -> dict[str, Any]:
    content = operation.get("requestBody", {}).get("content", {})
    empty: dict[str, Any] = {}
    return dict(next(iter(content.values()), empty).get("schema", {}))


def operations(doc: dict[str, Any]) -> list[Group]:
    """The document's operations grouped by their first tag, in the document's order."""
    schemas = Schemas(doc.get("components", {}).get("schemas", {}))
    groups: dict[str, Group] = {}
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            tag = (spec.get("tags") or ["general"])[0]
            parameters = [
                Row(
                    f"{p['name']} ({p.get('in', '')})",
                    schemas.type_of(p.get("schema", {})),
                    bool(p.get("required")),
                    text(p.get("description") or Schemas._description(p.get("schema", {}))),
                )
                for p in spec.get("parameters", [])
            ]
            body = _body(spec)
            answers = []
            for code, answer in spec.get("responses", {}).items():
                status = str(code)  # ninja's statuses are ints, the hand-written ones strings
                content = answer.get("content", {})
                empty: dict[str, Any] = {}
                media, shape = next(iter(content.items()), ("", empty))
                schema = shape.get("schema", {})
                answers.append(
                    Answer(
                        status,
                        text(answer.get("description", "")),
                        schemas.type_of(schema) if schema else media,
                        schemas.fields(schema) if schema and status.startswith("2") else [],
                    )
                )
            groups.setdefault(tag, Group(tag)).operations.append(
                Operation(
                    anchor=spec.get("operationId") or f"{method}-{path}",
                    method=method.upper(),
                    path=path,
                    summary=spec.get("summary", ""),
                    description=text(spec.get("description", "")),
                    permission=spec.get("x-unseen-permission", PUBLIC),
                    scope=spec.get("x-unseen-scope"),
                    parameters=parameters,
                    body_type=schemas.type_of(body) if body else "",
                    body=schemas.fields(body) if body else [],
                    answers=answers,
                )
            )
    return list(groups.values())


@public
@require_safe
def api_reference(request: HttpRequest) -> HttpResponse:
    doc = document()
    schemes = {
        name: text(scheme.get("description", ""))
        for name, scheme in doc.get("components", {}).get("securitySchemes", {}).items()
    }
    info = doc.get("info", {})
    return render(
        request,
        "ui/api_reference.html",
        {
            "info": info,
            "summary": text(info.get("description", "")),
            "groups": operations(doc),
            "schemes": schemes,
            "public_permission": PUBLIC,
        },
    )
