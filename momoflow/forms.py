"""What every page form shares: the state a form is shown in, and placing a refusal's
problems on the fields they belong to. Each feature's ``forms.py`` turns its posted
fields into the API's JSON shape (so pages and API share every rule and message) and
says which field each problem path belongs to."""

from dataclasses import dataclass, field


@dataclass
class FormState:
    """What a form shows: the values entered, errors by field key, and a message that
    belongs to no single field."""

    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # key -> [message]; row keys are "level_email.0"
    message: str | None = None
    problems: list = field(default_factory=list)  # [(key or None, message)] in the order found

    def error(self, key):
        return self.errors.get(key, [])

    def value(self, key, default=""):
        return self.values.get(key, default)

    @property
    def has_errors(self):
        return bool(self.problems or self.message)

    def problems_in(self, order):
        """``problems`` top to bottom as the page shows its fields: validators find them in
        the API's order, which need not be the page's. ``order`` names the fields from the
        top; a tuple names the fields of a repeated row (keys ``name.index``, or
        ``name.index.item`` for a list inside a row), which sort row by row. Problems of
        no field come first, fields not named last."""
        def place(problem):
            key = problem[0]
            if key is None:
                return (-1, 0, 0, 0)
            name, _, index = key.partition(".")
            row, _, item = index.partition(".")
            for position, entry in enumerate(order):
                names = tuple(entry) if isinstance(entry, (tuple, list)) else (entry,)
                if name in names:
                    return (position, int(row) if row.isdigit() else -1, names.index(name),
                            int(item) if item.isdigit() else 0)
            return (len(order), 0, 0, 0)
        return sorted(self.problems, key=place)


def failed(values, error, field_key):
    """A FormState for ``values`` showing ``error`` (a DomainError) on the right fields.

    ``field_key`` maps a problem path (``approvalLevels.0.email``) to a form field key
    (``level_email.0``), or None when no field matches: the message then shows above
    the form.
    """
    state = FormState(values=values)
    problems = getattr(error, "problems", None) or [(error.field, error.message)]
    for path, message in problems:
        key = field_key(path) if path else None
        state.problems.append((key, message))
        if key is None:
            state.message = f"{state.message} {message}" if state.message else message
        else:
            state.errors.setdefault(key, []).append(message)
    return state


def single_field(name):
    """For one-field forms: every problem belongs to ``name``."""
    return lambda path: name
