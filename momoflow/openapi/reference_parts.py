"""What the reference page is made of (rows, examples, operations, groups), and the
little Markdown the document's descriptions use."""

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape


@dataclass
class Row:
    name: str
    type: str
    required: bool = False
    description: Markup = Markup("")
    constraints: list = field(default_factory=list)
    depth: int = 0
    where: str = ""  # for parameters: path, query, header


@dataclass
class Example:
    title: Markup
    json: str
    from_seed: bool = False


@dataclass
class Body:
    media_type: str
    schema_name: str | None
    type: str
    rows: list
    examples: list


@dataclass
class Response:
    status: str
    description: Markup
    headers: list
    linked_headers: list  # names described once, in the group's "Response headers"
    bodies: list

    @property
    def kind(self):
        return {"2": "ok", "4": "client", "5": "server"}.get(self.status[:1], "other")


@dataclass
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: Markup
    auth: str
    parameters: list
    request_required: bool
    request_bodies: list
    responses: list


@dataclass
class Tag:
    name: str
    anchor: str
    description: Markup
    operations: list = field(default_factory=list)


@dataclass
class SchemaView:
    name: str
    anchor: str
    description: Markup
    rows: list
    examples: list


@dataclass
class Group:
    name: str
    path: str
    auth: str
    tags: list
    schemas: list = field(default_factory=list)
    headers: list = field(default_factory=list)


def markdown(text):
    """The little Markdown the document uses: `code`, **bold**, paragraphs and "- " lists."""
    html = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [line.strip() for line in block.splitlines()]
        items, paragraph = [], []
        for line in lines:
            if line.startswith("- "):
                items.append(inline(line[2:]))
            elif items:
                items[-1] += Markup(" ") + inline(line)
            else:
                paragraph.append(inline(line))
        if paragraph:
            html.append(Markup("<p>{}</p>").format(Markup(" ").join(paragraph)))
        if items:
            html.append(Markup("<ul>{}</ul>").format(Markup("").join(Markup("<li>{}</li>").format(i) for i in items)))
    return Markup("").join(html)


def types_of(node):
    kinds = node.get("type", [])
    return kinds if isinstance(kinds, list) else [kinds]


def inline(text):
    parts = re.split(r"(`[^`]+`|\*\*[^*]+\*\*)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(Markup("<code>{}</code>").format(part[1:-1]))
        elif part.startswith("**") and part.endswith("**") and len(part) > 3:
            out.append(Markup("<strong>{}</strong>").format(part[2:-2]))
        else:
            out.append(escape(part))
    return Markup("").join(out)
