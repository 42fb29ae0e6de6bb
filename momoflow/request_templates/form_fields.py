"""A template's form: its fields as the admin defines them, and the values a requester gives.

Values are checked on the server, each problem as ``(fields.<key>, message)``, e.g.
``fields.amount: Amount must be at least 0``. Checked values are kept as JSON: text as
text, numbers and amounts as decimal text (``"12500.00"``, exact), dates as
``YYYY-MM-DD``, a person as their email, a file as ``{"documentId", "fileName"}``.
"""

import enum
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from momoflow import fields
from momoflow.accounts.services import provision_user

MAX_FIELDS = 30
MAX_OPTIONS = 50
MAX_LABEL = 120
MAX_HELP = 500
MAX_SHORT_TEXT = 200
MAX_LONG_TEXT = 10_000
MAX_OPTION = 100
# Far beyond any real amount, far inside what Numeric and JSON carry exactly.
NUMBER_LIMIT = Decimal("1e15")
MAX_DECIMAL_PLACES = 10  # and written out in full ("f"), a number stays short
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


class FieldType(enum.StrEnum):
    SHORT_TEXT = "SHORT_TEXT"
    LONG_TEXT = "LONG_TEXT"
    NUMBER = "NUMBER"
    AMOUNT = "AMOUNT"
    DATE = "DATE"
    CHOICE = "CHOICE"
    PERSON = "PERSON"
    FILE = "FILE"

    @property
    def is_numeric(self):
        return self in (FieldType.NUMBER, FieldType.AMOUNT)

    @property
    def is_ordered(self):
        """Compared with < and > in conditions."""
        return self.is_numeric or self == FieldType.DATE


TYPE_LABELS = {
    FieldType.SHORT_TEXT: "Short text", FieldType.LONG_TEXT: "Long text", FieldType.NUMBER: "Number",
    FieldType.AMOUNT: "Amount", FieldType.DATE: "Date", FieldType.CHOICE: "Choice",
    FieldType.PERSON: "Person", FieldType.FILE: "File",
}


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: str
    type: FieldType
    required: bool = False
    help: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    currency: str | None = None
    options: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self):
        data = {"key": self.key, "label": self.label, "type": self.type.value, "required": self.required,
                "help": self.help}
        if self.type.is_numeric:
            data["min"], data["max"] = number_json(self.min), number_json(self.max)
        if self.type == FieldType.AMOUNT:
            data["currency"] = self.currency
        if self.type == FieldType.CHOICE:
            data["options"] = list(self.options)
        return data


def number_json(value):
    """A decimal as a JSON number: whole numbers as integers."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- the admin's definitions -------------------------------------------------------


def parse_field_defs(value, problems, path="fields"):
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(path, "fields must be a list of {key, label, type}")
        return []
    if len(value) > MAX_FIELDS:
        problems.add(path, f"A template can have at most {MAX_FIELDS} fields")
        return []
    defs, keys = [], set()
    for index, item in enumerate(value):
        here = f"{path}.{index}"
        if not isinstance(item, dict):
            problems.add(here, "Each field must be an object with key, label and type")
            continue
        definition = _field_def(item, here, problems)
        if definition is None:
            continue
        if definition.key in keys:
            problems.add(f"{here}.key", f"Two fields use the key '{definition.key}': keys must differ")
            continue
        keys.add(definition.key)
        defs.append(definition)
    return defs


def _field_def(item, path, problems):
    before = len(problems)
    key = fields.text(item.get("key"), f"{path}.key", problems, label="Key", max_length=40, required="Key is required")
    if key is not None and not KEY.match(key):
        problems.add(f"{path}.key", "Key must start with a letter and use only a-z, 0-9 and _ (e.g. amount)")
    label = fields.text(item.get("label"), f"{path}.label", problems, label="Label", max_length=MAX_LABEL,
                        required="Label is required")
    kind = fields.choice(item.get("type"), FieldType, f"{path}.type", problems,
                         f"type must be one of {', '.join(FieldType)}")
    required = fields.flag(item.get("required"), f"{path}.required", problems)
    help_text = fields.text(item.get("help"), f"{path}.help", problems, label="Help text", max_length=MAX_HELP)
    low = _limit(item.get("min"), f"{path}.min", problems) if kind and kind.is_numeric else None
    high = _limit(item.get("max"), f"{path}.max", problems) if kind and kind.is_numeric else None
    if low is not None and high is not None and low > high:
        problems.add(f"{path}.max", "max must be at least min")
    currency = _currency(item.get("currency"), f"{path}.currency", problems) if kind == FieldType.AMOUNT else None
    options = _options(item.get("options"), f"{path}.options", problems) if kind == FieldType.CHOICE else ()
    if len(problems) > before:
        return None
    return FieldDef(key, label, kind, bool(required), help_text, low, high, currency, options)


def _limit(value, path, problems):
    if value is None or value == "":
        return None
    name = path.rsplit(".", 1)[-1]
    return decimal_value(value, path, problems, f"{name} must be a number", label=name)


def _currency(value, path, problems):
    if value in (None, ""):
        return "USD"
    if not isinstance(value, str) or not CURRENCY.match(value.strip().upper()):
        problems.add(path, "currency must be a three-letter code such as USD, EUR or INR")
        return None
    return value.strip().upper()


def _options(value, path, problems):
    if not isinstance(value, list) or not value:
        problems.add(path, "A choice field needs a list of options")
        return ()
    if len(value) > MAX_OPTIONS:
        problems.add(path, f"A choice field can have at most {MAX_OPTIONS} options")
        return ()
    options = []
    for index, item in enumerate(value):
        option = fields.text(item, f"{path}.{index}", problems, label="Option", max_length=MAX_OPTION,
                             required="Options cannot be blank")
        if option is not None and option.casefold() in {known.casefold() for known in options}:
            problems.add(f"{path}.{index}", f"The option '{option}' is listed twice")
        elif option is not None:
            options.append(option)
    return tuple(options)


# --- the requester's values --------------------------------------------------------


def parse_values(defs, value, organization, problems, *, files=None, path="fields", enforce_required=True):
    """``{key: checked value}`` for the fields given (blank ones left out). ``files`` maps a
    FILE field's key to ``{"fileName", "documentId"?}``: the upload the caller received
    (its document id is filled in once the request exists). Without ``enforce_required``
    (a preview while the form is being filled in) a missing value is no problem."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        problems.add(path, "fields must be an object of {key: value}")
        return {}
    known = {definition.key for definition in defs}
    for key in value:
        if key not in known:
            problems.add(f"{path}.{_shown(key)}", f"This template has no field '{_shown(key)}'")
    file_keys = {definition.key for definition in defs if definition.type == FieldType.FILE}
    for key in files or {}:  # an upload for any other key would be stored as that field's value
        if key not in file_keys:
            problems.add(f"{path}.{_shown(key)}", f"This template has no file field '{_shown(key)}'")
    values = {}
    for definition in defs:
        here = f"{path}.{definition.key}"
        raw = value.get(definition.key)
        if definition.type == FieldType.FILE:  # only ever an upload: a JSON value cannot name a document
            if not _blank(raw):
                problems.add(here, f"{definition.label}: attach the file with the request (multipart), "
                                   "a JSON body cannot carry one")
                continue
            raw = (files or {}).get(definition.key)
        if _blank(raw):
            if definition.required and enforce_required:
                problems.add(here, _required(definition))
            continue
        checked = _PARSERS[definition.type](definition, raw, here, organization, problems)
        if checked is not None:
            values[definition.key] = checked
    return values


def _shown(key):
    """A key as a message may repeat it: hostile text is not echoed."""
    return key if isinstance(key, str) and fields.is_valid_text(key) and len(key) <= 40 else "?"


def _blank(raw):
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _required(definition):
    if definition.type == FieldType.FILE:
        return f"{definition.label} is required: attach a file"
    return f"{definition.label} is required"


def _text(definition, raw, path, organization, problems):
    limit = MAX_LONG_TEXT if definition.type == FieldType.LONG_TEXT else MAX_SHORT_TEXT
    return fields.text(raw, path, problems, label=definition.label, max_length=limit)


def _number(definition, raw, path, organization, problems):
    number = decimal_value(raw, path, problems, f"{definition.label} must be a number", label=definition.label)
    if number is None:
        return None
    if definition.type == FieldType.AMOUNT and number.as_tuple().exponent < -2:
        problems.add(path, f"{definition.label} can have at most two decimal places")
        return None
    if definition.min is not None and number < definition.min:
        problems.add(path, f"{definition.label} must be at least {number_text(definition.min)}")
        return None
    if definition.max is not None and number > definition.max:
        problems.add(path, f"{definition.label} must be at most {number_text(definition.max)}")
        return None
    return format(number, "f")


def decimal_value(raw, path, problems, wrong, *, label=None):
    """A finite decimal from a JSON number or numeric text (``"12,500"`` is not one)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        problems.add(path, wrong)
        return None
    if isinstance(raw, str) and (len(raw) > 40 or not fields.is_valid_text(raw)):
        problems.add(path, wrong)
        return None
    try:
        number = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        problems.add(path, wrong)
        return None
    if not number.is_finite():
        problems.add(path, wrong)
        return None
    if abs(number) >= NUMBER_LIMIT:
        problems.add(path, f"{label or 'The number'} is too large")
        return None
    exact = number.normalize()  # rounds to 28 digits: 1e-999999999 would quietly become 0
    if exact != number or exact.as_tuple().exponent < -MAX_DECIMAL_PLACES:
        problems.add(path, f"{label or 'The number'} can have at most {MAX_DECIMAL_PLACES} decimal places")
        return None
    return exact if exact != exact.to_integral_value() else exact.quantize(Decimal(1))


def number_text(number):
    return f"{number:,f}" if number == number.to_integral_value() else f"{number:,}"


def _date(definition, raw, path, organization, problems):
    if not isinstance(raw, str) or len(raw) > 10 or not fields.is_valid_text(raw):
        problems.add(path, f"{definition.label} must be a date such as 2026-12-31")
        return None
    try:
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError:
        problems.add(path, f"{definition.label} must be a date such as 2026-12-31")
        return None


def _choice(definition, raw, path, organization, problems):
    if isinstance(raw, str) and fields.is_valid_text(raw):
        for option in definition.options:
            if option.casefold() == raw.strip().casefold():
                return option
    problems.add(path, f"{definition.label} must be one of: {', '.join(definition.options)}")
    return None


def _person(definition, raw, path, organization, problems):
    email = fields.email(raw, path, problems, message=f"{definition.label} must be a valid email address")
    if email is None:
        return None
    if provision_user(email, organization) is None:
        problems.add(path, f"{definition.label}: {email} is not in the company directory")
        return None
    return email


def _file(definition, raw, path, organization, problems):
    return {"documentId": raw.get("documentId"), "fileName": raw["fileName"]}


_PARSERS = {
    FieldType.SHORT_TEXT: _text, FieldType.LONG_TEXT: _text, FieldType.NUMBER: _number, FieldType.AMOUNT: _number,
    FieldType.DATE: _date, FieldType.CHOICE: _choice, FieldType.PERSON: _person, FieldType.FILE: _file,
}


def value_json(definition, value):
    """A stored value as the API shows it: numbers as numbers."""
    if value is None:
        return None
    if definition is not None and definition.type.is_numeric:
        return number_json(Decimal(value))
    return value


def display(definition, value):
    """A stored value as a page shows it (``USD 12,500.00``, ``31 Dec 2026``)."""
    if value is None or value == "":
        return ""
    if definition is None:
        return str(value)
    if definition.type == FieldType.AMOUNT:
        return f"{definition.currency} {Decimal(value):,.2f}"
    if definition.type == FieldType.NUMBER:
        return number_text(Decimal(value))
    if definition.type == FieldType.DATE:
        return date.fromisoformat(value).strftime("%-d %b %Y")
    if definition.type == FieldType.FILE:
        return value.get("fileName", "")
    return str(value)
