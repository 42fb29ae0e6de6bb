"""Reading the template editor's form out of its HTML, as a browser would post it."""

from html.parser import HTMLParser


class EditorForm(HTMLParser):
    """The inputs of the page's ``template-editor`` form: ``values`` {name: value} as a
    browser posts them (checked boxes only, each select's chosen option), ``buttons``
    [(name, value)] of its submit buttons and ``labels`` {for: text}."""

    def __init__(self, html):
        super().__init__()
        self.values, self.buttons, self.labels, self.ids = {}, [], {}, set()
        self._inside, self._select, self._textarea, self._label, self._first_option = False, None, None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "template-editor" in (attrs.get("class") or ""):
            self._inside = True
        if not self._inside:
            return
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        kind = attrs.get("type", "text")
        if tag == "input" and kind not in ("submit", "checkbox"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "input" and "checked" in attrs:
            self.values[attrs["name"]] = attrs.get("value", "on")
        elif tag == "button" and attrs.get("name"):
            self.buttons.append((attrs["name"], attrs.get("value")))
        elif tag == "select":
            self._select, self._first_option = attrs["name"], None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attrs.get("value", "")
            if "selected" in attrs:
                self.values[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values[self._textarea] = ""
        elif tag == "label":
            self._label = attrs.get("for")
            self.labels[self._label] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "select" and self._select:
            self.values.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "label":
            self._label = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data.removeprefix("\n") if not self.values[self._textarea] else data
        if self._label:
            self.labels[self._label] += data
