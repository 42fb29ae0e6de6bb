"""Checks of the document against OpenAPI 3.1 and of JSON against its schemas.

Not used to serve anything: ``tests/platform/test_openapi.py`` runs them (the project
has no OpenAPI validator dependency), and they are here so that test stays readable.
They cover the features the document uses, not all of OpenAPI.
"""

import re

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "null": type(None),
              "object": dict, "array": list}


def resolve(document, node):
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def walk(node, trail=()):
    """Every dict in ``node`` with where it is."""
    if isinstance(node, dict):
        yield trail, node
        for key, value in node.items():
            yield from walk(value, (*trail, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*trail, index))


def operations(document):
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def examples(document):
    """Every example of every operation's bodies: ``(where, media, example)``, ``where``
    naming it (``POST /v1/flows/assign 200 Assigned``) and the example resolved."""
    for path, method, operation in operations(document):
        bodies = [("request", operation.get("requestBody", {}))]
        bodies += [(status, resolve(document, r)) for status, r in operation["responses"].items()]
        for label, holder in bodies:
            for media in holder.get("content", {}).values():
                for name, example in (media.get("examples") or {}).items():
                    yield f"{method.upper()} {path} {label} {name}", media, resolve(document, example)


def conformance(document, value, schema, strict=True, where="$"):
    """Problems with ``value`` against ``schema`` (the part of JSON Schema the document uses).
    Unknown fields are always problems; missing required ones only when ``strict``."""
    schema = resolve(document, schema)
    options = schema.get("oneOf") or schema.get("anyOf")
    if options:
        results = [conformance(document, value, option, strict, where) for option in options]
        return [] if any(not result for result in results) else [f"{where}: matches no option: {results}"]
    if "const" in schema and value != schema["const"]:
        return [f"{where}: {value!r} is not {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    if types and not any(isinstance(value, JSON_TYPES[kind]) and not (isinstance(value, bool) and kind != "boolean")
                         for kind in types):
        return [f"{where}: {value!r} is not {types}"]
    problems = []
    if isinstance(value, dict) and "properties" in schema:
        properties = schema["properties"]
        problems += [f"{where}.{name}: not documented" for name in value if name not in properties]
        if strict:
            problems += [f"{where}.{name}: required but missing" for name in schema.get("required", ())
                         if name not in value]
        for name, item in value.items():
            if name in properties:
                problems += conformance(document, item, properties[name], strict, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += conformance(document, item, schema["items"], strict, f"{where}[{index}]")
    return problems


def structural_problems(document):
    """What an OpenAPI 3.1 validator would object to, for the features the document uses."""
    problems = []
    if not re.fullmatch(r"3\.1\.\d+", document.get("openapi", "")):
        problems.append("openapi must be 3.1.x")
    if not (isinstance(document.get("info", {}).get("title"), str) and isinstance(document["info"].get("version"), str)):
        problems.append("info needs title and version")
    schemes = document["components"]["securitySchemes"]
    for name, scheme in schemes.items():
        if scheme["type"] not in ("apiKey", "http", "mutualTLS", "oauth2", "openIdConnect") or (
                scheme["type"] == "http" and not scheme.get("scheme")):
            problems.append(f"securityScheme {name} is malformed")
    for kind, items in document["components"].items():
        problems += [f"components.{kind}.{name}: bad name" for name in items if not re.fullmatch(r"[\w.\-]+", name)]
    tags = {tag["name"] for tag in document["tags"]}
    operation_ids = []
    for path, item in document["paths"].items():
        if not path.startswith("/") or set(item) - {*HTTP_METHODS, "summary", "description", "parameters", "servers"}:
            problems.append(f"{path}: bad path or path item keys")
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        operation_ids.append(operation.get("operationId"))
        problems += [f"{where}: undeclared tag {tag}" for tag in operation.get("tags", ()) if tag not in tags]
        problems += [f"{where}: unknown security scheme {name}"
                     for requirement in operation.get("security", ()) for name in requirement if name not in schemes]
        parameters = [resolve(document, p) for p in operation.get("parameters", ())]
        for parameter in parameters:
            if parameter.get("in") not in ("query", "header", "path", "cookie") or not parameter.get("name") or (
                    "schema" not in parameter) or (parameter["in"] == "path" and parameter.get("required") is not True):
                problems.append(f"{where}: malformed parameter {parameter}")
        in_path = {p["name"] for p in parameters if p["in"] == "path"}
        if in_path != set(re.findall(r"{([^}]+)}", path)):
            problems.append(f"{where}: path parameters {sorted(in_path)} do not match the template")
        body = operation.get("requestBody")
        if body is not None and not body.get("content"):
            problems.append(f"{where}: requestBody without content")
        if not operation.get("responses"):
            problems.append(f"{where}: no responses")
        for status, response in operation.get("responses", {}).items():
            if not re.fullmatch(r"[1-5](\d\d|XX)|default", status) or "description" not in resolve(document, response):
                problems.append(f"{where} {status}: bad status or no description")
    duplicates = {i for i in operation_ids if operation_ids.count(i) > 1}
    if None in operation_ids or duplicates:
        problems.append(f"operationIds missing or repeated: {duplicates}")
    for trail, node in walk(document):
        if "$ref" in node:
            try:
                resolve(document, node)
            except (KeyError, TypeError):
                problems.append(f"{'/'.join(map(str, trail))}: $ref {node['$ref']} does not resolve")
        if trail[-2:-1] in (("properties",), ("schemas",)) or trail[-1:] in (("schema",), ("items",)):
            for keyword in ("nullable", "example"):  # OpenAPI 3.0 spellings, not JSON Schema 2020-12
                if keyword in node:
                    problems.append(f"{'/'.join(map(str, trail))}: uses 3.0 keyword {keyword}")
            kinds = node.get("type", [])
            if set([kinds] if isinstance(kinds, str) else kinds) - set(JSON_TYPES):
                problems.append(f"{'/'.join(map(str, trail))}: unknown type {kinds}")
            if "properties" in node and set(node.get("required", ())) - set(node["properties"]):
                problems.append(f"{'/'.join(map(str, trail))}: requires undeclared properties")
    return problems
