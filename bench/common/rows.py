"""Rows as PostgreSQL COPY text, and the words the generated people and requests are made of.

Values are written without escaping, so generated text must never hold a tab, a newline
or a backslash (none of the words below do).
"""

from collections import Counter, namedtuple
from datetime import datetime

COPY_BATCH = 20_000  # lines per write

# Column order of every row passed to Tables.add, table by table, in load order.
COLUMNS = {
    "organizations": ("id", "slug", "name", "tier", "created_at"),
    "users": ("id", "organization_id", "email", "display_name", "designation", "department", "role",
              "password_hash", "source", "active", "last_login_at", "synced_at", "created_at", "updated_at"),
    "request_number_counters": ("organization_id", "period", "last_value"),
    "workflow_requests": ("id", "organization_id", "request_number", "template_type", "title", "description",
                          "priority", "status", "initiator_id", "current_level", "total_levels", "created_at",
                          "updated_at", "closed_at"),
    "approval_levels": ("id", "request_id", "level_number", "level_name", "tat_hours", "is_final_approver",
                        "status", "started_at", "tat_deadline", "tat_stage", "tat_next_check_at", "acted_at",
                        "comments", "approval_mode", "min_approvals", "rejection_policy", "on_breach"),
    "approval_tasks": ("id", "request_id", "level_id", "position", "assignee_id", "on_behalf_of_id", "reason",
                       "escalated_to_id", "escalated_at", "status", "due_at", "acted_at", "acted_by_id", "comments",
                       "created_at"),
    "approval_decisions": ("task_id", "organization_id", "request_id", "decided_at", "approver_id", "by_delegate",
                           "level_key", "level_name", "tat_hours", "wait_seconds", "on_time"),
    "participants": ("id", "request_id", "user_id", "participant_type", "can_comment", "can_view_documents",
                     "can_download_documents", "added_by_id", "created_at"),
    "comments": ("id", "request_id", "author_id", "body", "created_at"),
    "activities": ("id", "request_id", "actor_id", "action", "summary", "details", "created_at"),
}

Person = namedtuple("Person", "id email display_name designation department")

FIRST_NAMES = ("Aarav", "Priya", "Arjun", "Kavita", "Rajesh", "Meera", "Vikram", "Sanjay", "Ananya", "Deepak",
               "Farah", "Rohan", "Neha", "Suresh", "Jane", "Alex", "Jordan", "Taylor", "Casey", "Ishaan",
               "Zoya", "Kabir", "Lakshmi", "Omar", "Nisha", "Ravi", "Sara", "Tanvi", "Yusuf", "Divya")
LAST_NAMES = ("Sharma", "Mehta", "Rao", "Iyer", "Nair", "Singh", "Gupta", "Krishnan", "Joshi", "Khan",
              "Kapoor", "Verma", "Patel", "Doe", "Morgan", "Lee", "Brooks", "Rivera", "Das", "Menon",
              "Bose", "Reddy", "Chopra", "Pillai", "Shah", "Banerjee", "Fernandes", "Kulkarni", "Ali", "Sen")
JOBS = (("Software Engineer", "Engineering"), ("Engineering Manager", "Engineering"),
        ("Finance Manager", "Finance"), ("Accountant", "Finance"), ("HR Business Partner", "Human Resources"),
        ("Procurement Lead", "Procurement"), ("Legal Counsel", "Legal"), ("Director", "Operations"),
        ("Manager", "Operations"), ("Sales Executive", "Sales"), ("Regional Sales Manager", "Sales"),
        ("IT Manager", "Information Technology"), ("Business Analyst", "Strategy"),
        ("Customer Success Associate", "Customer Success"), ("Vice President", "Executive Office"))
SUBJECTS = ("Laptop purchase", "Travel to Pune", "Conference registration", "Vendor onboarding",
            "Software licence renewal", "Team offsite budget", "Office furniture", "Contract amendment",
            "New hire equipment", "Cloud spend increase", "Marketing campaign", "Training course")
COMMENTS = ("Please attach the second quotation.", "Looks fine from my side.", "Can we do this next quarter?",
            "Approved in principle; waiting on finance.", "Adding the vendor details now.",
            "Is this within the travel policy?")


def title_text(rng, initiator):
    return f"{rng.choice(SUBJECTS)} for {initiator.department}"


def comment_text(rng):
    return rng.choice(COMMENTS)


class Tables:
    """COPY lines per table, filled in any order and loaded in ``columns`` order
    (the workflow tables' COLUMNS unless told otherwise)."""

    def __init__(self, rng, columns=COLUMNS):
        self.rng = rng
        self.columns = columns
        self.lines = {name: [] for name in columns}
        self.counts = Counter()

    def new_id(self):
        """A random (version 4) UUID from the seeded generator, so reruns give the same ids."""
        value = self.rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48) | (0x4000 << 64) | (0x8000 << 48)
        text = f"{value:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def add(self, table, *values):
        text = [value if value.__class__ is str else _copy_text(value) for value in values]
        self.lines[table].append("\t".join(text))
        self.counts[table] += 1

    def copy_into(self, connection):
        """COPY every table; FREEZE because the caller truncated them in this transaction."""
        with connection.cursor() as cursor:
            for name, columns in self.columns.items():
                lines = self.lines[name]
                with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN WITH (FREEZE)") as copy:
                    for start in range(0, len(lines), COPY_BATCH):
                        copy.write("\n".join(lines[start:start + COPY_BATCH]) + "\n")


def _copy_text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
