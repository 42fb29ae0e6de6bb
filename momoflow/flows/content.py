"""A module's body: Markdown that admins write, turned into safe HTML on the server.

markdown-it-py renders CommonMark (with tables and strikethrough; raw HTML is not parsed, so
``<script>`` shows as text), then nh3 keeps only an allow-list of tags and attributes, so a
renderer bug still cannot let markup through. On top of Markdown:

- single line breaks stay line breaks (people paste text written elsewhere);
- headings start one level below the module's title (``#`` is an ``h3`` on the page);
- a paragraph holding nothing but a YouTube or Vimeo link becomes the video's player, from
  the privacy-friendly embed hosts, which are the only frames the CSP allows
  (``security.EMBED_SOURCES``); any other video (self-hosted) stays a link;
- images become links to them (the CSP serves images from MomoFlow only);
- links open in a new tab with ``rel="noopener noreferrer nofollow"``;
- no ``style`` attributes (the CSP would refuse them): table columns keep their default alignment.
"""

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from momoflow.security import EMBED_SOURCES

YOUTUBE_EMBED, VIMEO_EMBED = (f"{source}/{path}" for source, path in zip(EMBED_SOURCES, ("embed/", "video/")))
_YOUTUBE_ID = r"([A-Za-z0-9_-]{11})"
VIDEO_LINKS = (
    (re.compile(rf"^https?://(?:www\.|m\.)?youtube\.com/watch\?(?:[^#]*&)?v={_YOUTUBE_ID}(?:[&#].*)?$"), YOUTUBE_EMBED),
    (re.compile(rf"^https?://youtu\.be/{_YOUTUBE_ID}(?:[?#].*)?$"), YOUTUBE_EMBED),
    (re.compile(rf"^https?://(?:www\.)?youtube\.com/(?:embed|shorts)/{_YOUTUBE_ID}(?:[?#].*)?$"), YOUTUBE_EMBED),
    (re.compile(r"^https?://(?:www\.)?vimeo\.com/(\d{1,12})(?:[/?#].*)?$"), VIMEO_EMBED),
)
# What an embedded player's address may be, checked again by the sanitiser.
EMBED_SRC = re.compile(rf"^(?:{re.escape(YOUTUBE_EMBED)}[A-Za-z0-9_-]{{11}}|{re.escape(VIMEO_EMBED)}\d{{1,12}})$")
BARE_URL = re.compile(r"^https?://\S+$")

ALLOWED_TAGS = {"p", "br", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
                "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "div", "iframe"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"},
                      "iframe": {"src", "title", "allow", "allowfullscreen", "loading",
                                                   "referrerpolicy"}}


def video_embed(url):
    """The player address for a YouTube or Vimeo link, else None."""
    for pattern, embed in VIDEO_LINKS:
        found = pattern.match(url.strip())
        if found:
            return embed + found.group(1)
    return None


def render(text):
    """``text`` (Markdown) as safe HTML, ready for a template."""
    return Markup(_render(text or ""))


@lru_cache(maxsize=256)  # the same module is read by everyone on it
def _render(text):
    return nh3.clean(_markdown().render(text), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     attribute_filter=_keep_attribute, link_rel="noopener noreferrer nofollow",
                     url_schemes={"http", "https", "mailto"}, allowed_classes={"div": {"video"}},
                     set_tag_attribute_values={"a": {"target": "_blank"}})


def _keep_attribute(element, attribute, value):
    if element == "iframe" and attribute == "src":
        return value if EMBED_SRC.match(value) else None
    return value


@lru_cache(maxsize=1)
def _markdown():
    md = MarkdownIt("commonmark", {"breaks": True, "html": False}).enable(["table", "strikethrough"])
    md.core.ruler.push("momoflow_modules", _adapt)
    md.add_render_rule("image", _image_as_link)
    return md


def _adapt(state):
    """Headings below the module's title; a paragraph that is only a video link → its player."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 2)}"
        elif token.type == "paragraph_open" and index + 2 < len(tokens):
            url = _only_link(tokens[index + 1])
            embed = video_embed(url) if url else None
            if embed:
                player = Token("html_block", "", 0)
                player.content = _player(embed, url)
                tokens[index:index + 3] = [player, Token("text", "", 0), Token("text", "", 0)]
            elif url and tokens[index + 1].children[0].type == "text":
                _bare_url_as_link(state, tokens[index + 1], url)


def _only_link(inline):
    """The address when a paragraph is one link (``[text](url)``, ``<url>``) or one bare URL."""
    children = [child for child in inline.children or () if not (child.type == "text" and not child.content.strip())]
    if len(children) == 1 and children[0].type == "text" and BARE_URL.match(children[0].content.strip()):
        return children[0].content.strip()
    if len(children) >= 2 and children[0].type == "link_open" and children[-1].type == "link_close":
        return children[0].attrGet("href")
    return None


def _bare_url_as_link(state, inline, url):
    opening = Token("link_open", "a", 1)
    opening.attrSet("href", state.md.normalizeLink(url))
    text = Token("text", "", 0)
    text.content = url
    inline.children = [opening, text, Token("link_close", "a", -1)]


def _player(embed, url):
    return (f'<div class="video"><iframe src="{escape(embed)}" title="Video: {escape(url)}" loading="lazy" '
            'allow="fullscreen; picture-in-picture" allowfullscreen referrerpolicy="strict-origin-when-cross-origin">'
            '</iframe></div>\n')


def _image_as_link(self, tokens, index, options, env):
    image = tokens[index]
    label = self.renderInlineAsText(image.children or [], options, env) or image.attrGet("src")
    return f'<a href="{escape(image.attrGet("src"))}">{escape(label)}</a>'
