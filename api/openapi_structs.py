"""OpenAPI for msgspec request structs that refuse unknown fields: say so (``additionalProperties: false``),
so the schema is true to what the server does (a mistyped field is refused, never silently ignored)."""

from __future__ import annotations

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Schema


class StrictStructSchemaPlugin(StructSchemaPlugin):
    def to_openapi_schema(self, field_definition, schema_creator):  # type: ignore[no-untyped-def]
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(schema, Schema) and getattr(info, "forbid_unknown_fields", False):
            schema.additional_properties = False
        return schema
