"""The OpenAPI document turned into what the reference page shows: groups, tags and
operations, with every schema flattened into field rows (``approvalLevels[].email``)
and every example pretty-printed. The template only loops; all logic is here."""

import json
import re

from markupsafe import Markup, escape

from momoflow.openapi.reference_parts import (
    Body,
    Example,
    Group,
    Operation,
    Response,
    Row,
    SchemaView,
    Tag,
    inline,
    markdown,
    types_of,
)

METHOD_ORDER = ("get", "post", "put", "patch", "delete")
AUTH_LABELS = {"bearerAuth": "Bearer token (JWT from /api/v1/auth/login)", "apiKeyAuth": "Bearer API key"}


class ReferenceBuilder:
    def __init__(self, document):
        self.document = document
        self._raw = {}  # (path, method): the operation as the document has it

    def resolve(self, node):
        """``(target, name)``: the node behind a ``$ref`` and the component's name."""
        name = None
        while isinstance(node, dict) and "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            node = self._lookup(node["$ref"]) | siblings
        return node, name

    def _lookup(self, pointer):
        node = self.document
        for part in pointer.removeprefix("#/").split("/"):
            node = node[part]
        return node

    # --- schemas ---------------------------------------------------------------------

    def type_label(self, node):
        """The type in words, with named schemas as links to their section."""
        node, name = self.resolve(node)
        if "const" in node:
            return Markup({bool: "boolean", int: "integer", str: "string"}.get(type(node["const"]), "value"))
        for key in ("oneOf", "anyOf"):
            if key in node:
                return Markup(" | ").join(self.type_label(option) for option in node[key])
        media = node.get("contentMediaType")
        if media == "application/octet-stream":
            return Markup("file")
        if media == "application/json":
            inner = self.type_label(node["contentSchema"]) if "contentSchema" in node else ""
            return Markup("JSON text {}").format(inner) if inner else Markup("JSON text")
        labels = []
        for kind in types_of(node) or ["object" if "properties" in node else "any"]:
            if kind == "array":
                labels.append(Markup("array of {}").format(self.type_label(node.get("items", {}))))
            elif kind == "object" and name:
                labels.append(Markup('<a href="#schema-{0}">{0}</a>').format(name))
            elif kind == "string" and node.get("format"):
                labels.append(Markup("string ({})").format(node["format"]))
            else:
                labels.append(escape(kind))
        return Markup(" | ").join(labels)

    @staticmethod
    def constraints(node):
        found = []
        if "const" in node:
            found.append(f"always {json.dumps(node['const'])}")
        if "enum" in node:
            found.append("one of " + ", ".join(json.dumps(value) for value in node["enum"]))
        for key, label in (("default", "default"), ("minimum", "≥"), ("exclusiveMinimum", ">"),
                           ("maximum", "≤"), ("minLength", "min length"), ("maxLength", "max length"),
                           ("minItems", "min items"), ("maxItems", "max items")):
            if key in node:
                found.append(f"{label} {json.dumps(node[key]) if key == 'default' else node[key]}")
        examples = node.get("examples")
        if examples and all(isinstance(value, str | int | float) for value in examples):
            found.append("e.g. " + ", ".join(json.dumps(value) for value in examples[:2]))
        return found

    def object_parts(self, node):
        """Properties and required names of an object schema (following ``allOf``)."""
        node, _ = self.resolve(node)
        properties, required = dict(node.get("properties", {})), set(node.get("required", ()))
        for part in node.get("allOf", ()):
            more_properties, more_required = self.object_parts(part)
            properties.update(more_properties)
            required |= more_required
        return properties, required

    def rows(self, node, prefix="", depth=0):
        """Field rows; anonymous nested objects are expanded, named schemas are links."""
        properties, required = self.object_parts(node)
        rows = []
        for name, child in properties.items():
            resolved, ref_name = self.resolve(child)
            rows.append(Row(prefix + name, self.type_label(child), name in required,
                            inline(resolved.get("description", "")), self.constraints(resolved), depth))
            target, suffix = resolved, ""
            if "array" in types_of(resolved) and "items" in resolved:
                target, ref_name = self.resolve(resolved["items"])
                suffix = "[]"
            if ref_name is None and ("properties" in target or "allOf" in target) and depth < 4:
                rows += self.rows(target, f"{prefix}{name}{suffix}.", depth + 1)
        return rows

    def schemas_used(self, node, found=None):
        """Names of the component schemas ``node`` refers to, directly or through others."""
        found = {} if found is None else found
        if isinstance(node, dict):
            pointer = node.get("$ref", "")
            if pointer.startswith("#/components/schemas/"):
                name = pointer.rsplit("/", 1)[-1]
                if name not in found:
                    found[name] = None
                    self.schemas_used(self._lookup(pointer), found)
            elif pointer:
                self.schemas_used(self._lookup(pointer), found)
            for value in node.values():
                self.schemas_used(value, found)
        elif isinstance(node, list):
            for value in node:
                self.schemas_used(value, found)
        return found

    def schema_section(self, name):
        node = self.document["components"]["schemas"][name]
        examples = [Example(Markup("Example"), json.dumps(value, indent=2, ensure_ascii=False))
                    for value in node.get("examples", ())
                    if isinstance(value, dict)]
        return SchemaView(name, f"schema-{name}", inline(node.get("description", "")), self.rows(node), examples)

    # --- operations ------------------------------------------------------------------

    def examples(self, media):
        found = []
        for key, example in (media.get("examples") or {}).items():
            example, _ = self.resolve(example)
            title = example.get("summary", key)
            if "x-seed" in example:
                title = re.sub(r"\s*\(seed(, [^)]*)?\)", "", title)
            found.append(Example(inline(title), json.dumps(example["value"], indent=2, ensure_ascii=False),
                                 "x-seed" in example))
        return found

    def bodies(self, content):
        bodies = []
        for media_type, media in (content or {}).items():
            schema = media.get("schema", {})
            _, name = self.resolve(schema)
            bodies.append(Body(media_type, name, self.type_label(schema) if schema else "any",
                               self.rows(schema) if schema else [], self.examples(media)))
        return bodies

    def parameter(self, node):
        node, _ = self.resolve(node)
        schema, _ = self.resolve(node.get("schema", {}))
        return Row(node["name"], self.type_label(schema), node.get("required", False),
                   inline(node.get("description", "")), self.constraints(schema), where=node["in"])

    def response(self, status, node):
        """Headers defined once in ``components/headers`` become links to the group's list."""
        node, _ = self.resolve(node)
        headers, linked = [], []
        for name, header in (node.get("headers") or {}).items():
            if "$ref" in header:
                linked.append(name)
                continue
            header, _ = self.resolve(header)
            headers.append(Row(name, self.type_label(header.get("schema", {})), False,
                               inline(header.get("description", ""))))
        return Response(status, inline(node.get("description", "")), headers, linked,
                        self.bodies(node.get("content")))

    def header_rows(self, operations):
        names = dict.fromkeys(name for operation in operations for response in operation["responses"].values()
                              for name, header in (self.resolve(response)[0].get("headers") or {}).items()
                              if "$ref" in header)
        rows = []
        for name in names:
            header = self.document["components"]["headers"][name]
            rows.append(Row(name, self.type_label(header.get("schema", {})), False,
                            inline(header.get("description", ""))))
        return rows

    def operation(self, path, method, node):
        security = node.get("security", self.document.get("security", []))
        schemes = [name for requirement in security for name in requirement]
        body = node.get("requestBody") or {}
        return Operation(
            anchor=node.get("operationId") or f"{method}-{path}",
            method=method.upper(), path=path, summary=node.get("summary", ""),
            description=markdown(node.get("description", "")),
            auth=", ".join(AUTH_LABELS.get(name, name) for name in schemes) or "None (public)",
            parameters=[self.parameter(p) for p in node.get("parameters", ())],
            request_required=body.get("required", False), request_bodies=self.bodies(body.get("content")),
            responses=[self.response(status, response) for status, response in node["responses"].items()],
        )

    def groups(self):
        tags = {tag["name"]: Tag(tag["name"], "tag-" + re.sub(r"[^a-z0-9]+", "-", tag["name"].lower()).strip("-"),
                                 markdown(tag.get("description", "")))
                for tag in self.document.get("tags", ())}
        for path, item in self.document["paths"].items():
            for method in sorted((m for m in item if m in METHOD_ORDER), key=METHOD_ORDER.index):
                operation = item[method]
                tag = operation.get("tags", ["Other"])[0]
                tags.setdefault(tag, Tag(tag, "tag-other", Markup("")))
                tags[tag].operations.append(self.operation(path, method, operation))
                self._raw[(path, method)] = operation
        groups = [Group(group["name"], group.get("path", ""), AUTH_LABELS.get(group.get("security"), ""),
                        [tags.pop(name) for name in group["tags"] if name in tags])
                  for group in self.document.get("x-tagGroups", ())]
        leftover = [tag for tag in tags.values() if tag.operations]
        if leftover:
            groups.append(Group("Other", "", "", leftover))
        shown = set()
        for group in groups:
            operations = [self._raw[(op.path, op.method.lower())] for tag in group.tags for op in tag.operations]
            names = [name for name in self.schemas_used(operations) if name not in shown]
            shown.update(names)
            group.schemas = [self.schema_section(name) for name in sorted(names)]
            group.headers = self.header_rows(operations)
        return groups


def reference_view(document):
    builder = ReferenceBuilder(document)
    info = document["info"]
    return {"title": info["title"], "version": info["version"], "summary": info.get("summary", ""),
            "description": markdown(info.get("description", "")), "openapi": document["openapi"],
            "groups": builder.groups()}
