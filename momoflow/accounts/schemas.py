"""How people appear in JSON answers."""


def user_json(user):
    return {
        "userId": str(user.id),
        "email": user.email,
        "displayName": user.display_name,
        "designation": user.designation,
        "department": user.department,
        "role": user.role.value,
    }


def _name_and_email(user):
    return {"email": user.email, "name": user.display_name} if user else None


def person_json(row):
    """A person as admins see them (``accounts.people.PersonRow``)."""
    absence = row.absence
    return {
        "email": row.person.email,
        "name": row.person.display_name,
        "role": row.person.role.value,
        "active": row.person.active,
        "manager": _name_and_email(row.manager),
        "absence": {"startsAt": absence.starts_at.isoformat(), "endsAt": absence.ends_at.isoformat(),
                    "delegate": _name_and_email(row.delegate)} if absence else None,
        "undecidedTasks": row.undecided,
    }
