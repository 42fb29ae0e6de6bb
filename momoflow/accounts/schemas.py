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
