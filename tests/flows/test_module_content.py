"""A module's body: Markdown rendered on the server and sanitised, video links as players
from the allowed embed hosts only, and the editor's Preview."""

import pytest

from momoflow.flows import content
from momoflow.flows.models import Module
from momoflow.security import CONTENT_SECURITY_POLICY
from tests.flows.pages import ADMIN, EMPLOYEE, assign, post

YOUTUBE_PLAYER = '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"'


def test_markdown_becomes_html_below_the_modules_title():
    html = content.render("# Welcome\n\nRead **this** and *that*.\nNext line\n\n- one\n- two\n\n`code`")
    assert html.startswith("<h3>Welcome</h3>")
    assert "<strong>this</strong>" in html and "<em>that</em>" in html and "that</em>.<br>\nNext line" in html
    assert "<ul>\n<li>one</li>" in html and "<code>code</code>" in html


@pytest.mark.parametrize("hostile, kept_as_text", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('<iframe src="https://evil.example/"></iframe>', "&lt;iframe"),
    ("[click](javascript:alert(1))", "[click](javascript:alert(1))"),
    ('<img src=x onerror="alert(1)">', "&lt;img src=x"),
])
def test_hostile_markup_stays_text(hostile, kept_as_text):
    html = content.render(hostile)
    assert kept_as_text in html
    assert "<script" not in html and "<iframe" not in html and "<img" not in html and 'href="javascript' not in html


@pytest.mark.parametrize("link", [
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ?t=42",
    "https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ", "[The intro](https://youtube.com/shorts/dQw4w9WgXcQ)",
])
def test_a_youtube_link_on_its_own_line_is_the_player(link):
    html = content.render(f"Watch this first:\n\n{link}\n\nThen carry on.")
    assert YOUTUBE_PLAYER in html and 'referrerpolicy="strict-origin-when-cross-origin"' in html
    assert html.count("<iframe") == 1 and "<p>Then carry on.</p>" in html


def test_vimeo_too_but_lookalikes_and_links_inside_a_sentence_stay_links():
    assert '<iframe src="https://player.vimeo.com/video/76979871"' in content.render("https://vimeo.com/76979871")
    for text in ("https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
                 "See https://www.youtube.com/watch?v=dQw4w9WgXcQ for more",
                 "https://www.youtube.com/watch?v=short"):
        html = content.render(text)
        assert "<iframe" not in html, text


def test_bare_addresses_and_images_become_safe_links():
    html = content.render("https://intranet.example.com/policy.pdf\n\n![Org chart](https://cdn.example/chart.png)")
    assert ('<a href="https://intranet.example.com/policy.pdf" target="_blank" rel="noopener noreferrer nofollow">'
            'https://intranet.example.com/policy.pdf</a>') in html
    assert '<a href="https://cdn.example/chart.png" target="_blank" rel="noopener noreferrer nofollow">Org chart</a>' \
        in html


def test_the_sanitiser_keeps_only_the_players_own_addresses():
    keep = content._keep_attribute
    assert keep("iframe", "src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    assert keep("iframe", "src", "https://player.vimeo.com/video/1")
    for address in ("https://evil.example/embed/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/x\" onload=",
                    "javascript:alert(1)", "https://player.vimeo.com/video/1/../../x"):
        assert keep("iframe", "src", address) is None, address


def test_the_csp_allows_frames_from_the_two_players_only():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["frame-src"] == "https://www.youtube-nocookie.com https://player.vimeo.com"
    assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'"


def test_the_assignee_reads_the_module_rendered(client, demo, login_as, db):
    assignment = assign(demo, EMPLOYEE)
    module = db.session.scalar(db.select(Module).where(Module.flow_id == assignment.flow_id, Module.position == 1))
    module.content = "## Before you start\n\nhttps://youtu.be/dQw4w9WgXcQ\n\n<b>not bold</b>"
    db.session.commit()
    login_as(demo[EMPLOYEE])
    url = f"/my-flows/{assignment.public_id}"
    post(client, f"{url}/start", token=None)
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert '<div class="markdown module-panel__content"><h4>Before you start</h4>' in html
    assert YOUTUBE_PLAYER in html and "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert "frame-src https://www.youtube-nocookie.com" in page.headers["Content-Security-Policy"]


def test_the_editors_preview(client, demo, login_as):
    login_as(demo[ADMIN])
    preview = post(client, "/flows/content-preview", {"module_content": "# Hi\n\n<script>x</script>"}, htmx=True,
                   token=None)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<h3>Hi</h3>" in html and "&lt;script&gt;" in html
    empty = post(client, "/flows/content-preview", {"module_content": "  "}, htmx=True)
    assert "Nothing to preview yet" in empty.get_data(as_text=True)
    assert client.post("/flows/content-preview", data={"module_content": "x"}).status_code == 400  # no CSRF token
    editor = client.get("/flows/new").get_data(as_text=True)
    assert "A YouTube or Vimeo link on a line of its own shows the video." in editor
    assert 'hx-post="/flows/content-preview"' in editor


def test_only_admins_preview(client, demo, login_as):
    login_as(demo[EMPLOYEE])
    assert post(client, "/flows/content-preview", {"module_content": "x"}, htmx=True).status_code == 403
