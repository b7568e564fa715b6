"""The OpenAPI 3.1 document of the HSDS API.

It follows the operations of Open Referral's HSDS 3.0 OpenAPI document and
refers to HSDS's own published JSON schemas for the bodies, instead of
declaring them again; what our profile adds (``lang``, the ``x_`` fields,
the error body) is declared here.
"""

from __future__ import annotations

from .mapping import HSDS_VERSION
from .views import DEFAULT_PER_PAGE, MAX_PER_PAGE

SCHEMAS = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}  # fmt: skip


PARAMETERS = {
    "lang": _query(
        "lang",
        "Language of the texts (nl, en, ar, fa, ti, uk, tr, pl, so). Objects not translated "
        "into it are given in Dutch; `x_language` says which.",
        {"type": "string", "default": "nl"},
    ),
    "search": _query("search", "Full text search.", {"type": "string", "maxLength": 200}),
    "page": _query("page", "Page number.", {"type": "integer", "minimum": 1, "default": 1}),
    "per_page": _query(
        "per_page",
        "Results per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
    ),
    "taxonomy_term_id": _query(
        "taxonomy_term_id",
        "Services with this taxonomy term.",
        {"type": "string", "format": "uuid"},
    ),
    "taxonomy_id": _query(
        "taxonomy_id",
        "Services with any term of this taxonomy; for terms, the terms of this taxonomy.",
        {"type": "string", "format": "uuid"},
    ),
    "organization_id": _query(
        "organization_id", "Services of this organization.", {"type": "string", "format": "uuid"}
    ),
    "modified_after": _query(
        "modified_after",
        "Services published on or after this date or date-time (ISO 8601).",
        {"type": "string", "format": "date-time"},
    ),
    "minimal": _query("minimal", "Only each service's id and last_modified.", {"type": "boolean"}),
    "full": _query("full", "Fully nested objects.", {"type": "boolean"}),
    "postcode": _query(
        "postcode",
        "A Dutch postcode (3563 AB or 3563). Without proximity: services whose service "
        "area (wijk or whole municipality) holds it. With proximity: services with a "
        "location within that distance of its centre.",
        {"type": "string"},
    ),
    "proximity": _query(
        "proximity",
        "Metres from the centre of the postcode.",
        {"type": "number", "minimum": 1, "maximum": 100000},
    ),
}


def _refs(*names: str) -> list[dict]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _paged(items: str) -> dict:
    return {
        "allOf": [{"$ref": "#/components/schemas/Page"}],
        "properties": {"contents": {"type": "array", "items": {"$ref": SCHEMAS + items}}},
    }


ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "429": {"$ref": "#/components/responses/TooManyRequests"},
}


def _list(summary: str, items: str, parameters: list[str]) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": _refs("lang", *parameters),
            "responses": {"200": _json(summary, _paged(items)), **ERRORS},
        }
    }


def _detail(summary: str, schema: str, what: str) -> dict:
    return {
        "parameters": [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": f"The id of the {what}.",
                "schema": {"type": "string", "format": "uuid"},
            }
        ],
        "get": {
            "summary": summary,
            "parameters": _refs("lang"),
            "responses": {
                "200": _json(summary, {"$ref": SCHEMAS + schema}),
                "404": {"$ref": "#/components/responses/NotFound"},
                **ERRORS,
            },
        },
    }


SERVICE_FILTERS = [
    "search",
    "page",
    "per_page",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "modified_after",
    "postcode",
    "proximity",
]


def document(server_url: str) -> dict:
    error = {
        "type": "object",
        "required": ["status", "message"],
        "properties": {
            "status": {"type": "integer"},
            "message": {"type": "string"},
            "parameter": {"type": "string", "description": "The parameter at fault."},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wijkwijzer HSDS API",
            "version": "1.0",
            "summary": "The services of the Wijkwijzer directory as HSDS 3.0 open data.",
            "description": (
                f"Human Services Data Specification {HSDS_VERSION} with the Dutch profile "
                "(see the profile URL at /). Only published services are listed. Answers may "
                "be cached for a few minutes; clients are rate-limited per address (429 with "
                "Retry-After)."
            ),
            "license": {
                "name": "CC BY-SA 4.0 (the HSDS specification this document follows)",
                "url": "https://creativecommons.org/licenses/by-sa/4.0/",
            },
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": server_url}],
        "paths": {
            "/": {
                "get": {
                    "summary": "The HSDS version, profile and OpenAPI document of this API.",
                    "responses": {
                        "200": _json(
                            "About this API.",
                            {
                                "type": "object",
                                "properties": {
                                    "version": {"type": "string"},
                                    "profile": {"type": "string", "format": "uri"},
                                    "openapi_url": {"type": "string", "format": "uri"},
                                },
                            },
                        )
                    },
                }
            },
            "/services": _list(
                "Services, one-to-one fields (fully nested with full=true).",
                "compiled/service_list.json",
                [*SERVICE_FILTERS, "minimal", "full"],
            ),
            "/services/{id}": _detail(
                "A fully nested service.", "compiled/service.json", "service"
            ),
            "/organizations": _list(
                "Organizations (the coalition's partners).",
                "compiled/organization_list.json",
                ["search", "page", "per_page", "full"],
            ),
            "/organizations/{id}": _detail(
                "An organization with its services.", "compiled/organization.json", "organization"
            ),
            "/service_at_locations": _list(
                "Services at their locations.",
                "compiled/service_at_location_list.json",
                [*SERVICE_FILTERS, "full"],
            ),
            "/service_at_locations/{id}": _detail(
                "A service at a location, fully nested.",
                "compiled/service_at_location.json",
                "service at location",
            ),
            "/taxonomies": _list(
                "Our taxonomies: themes and audiences.", "taxonomy.json", ["page", "per_page"]
            ),
            "/taxonomies/{id}": _detail("A taxonomy.", "taxonomy.json", "taxonomy"),
            "/taxonomy_terms": _list(
                "Taxonomy terms.",
                "taxonomy_term.json",
                ["search", "page", "per_page", "taxonomy_id"],
            ),
            "/taxonomy_terms/{id}": _detail(
                "A taxonomy term.", "taxonomy_term.json", "taxonomy term"
            ),
        },
        "components": {
            "parameters": PARAMETERS,
            "schemas": {
                "Page": {
                    "type": "object",
                    "required": [
                        "total_items",
                        "total_pages",
                        "page_number",
                        "size",
                        "first_page",
                        "last_page",
                        "empty",
                        "contents",
                    ],
                    "properties": {
                        "total_items": {"type": "integer"},
                        "total_pages": {"type": "integer"},
                        "page_number": {"type": "integer"},
                        "size": {"type": "integer"},
                        "first_page": {"type": "boolean"},
                        "last_page": {"type": "boolean"},
                        "empty": {"type": "boolean"},
                        "contents": {"type": "array"},
                    },
                },
                "Error": error,
            },
            "responses": {
                "BadRequest": _json(
                    "A parameter is wrong.", {"$ref": "#/components/schemas/Error"}
                ),
                "NotFound": _json("No such object.", {"$ref": "#/components/schemas/Error"}),
                "TooManyRequests": _json(
                    "Rate limit reached; see Retry-After.", {"$ref": "#/components/schemas/Error"}
                ),
            },
        },
    }
