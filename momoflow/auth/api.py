"""``POST /api/v1/auth/login`` and ``GET /api/v1/auth/me``."""

from flask import g, jsonify

from momoflow import fields
from momoflow.accounts.schemas import user_json
from momoflow.accounts.services import sign_in
from momoflow.api import bp, json_body, public
from momoflow.auth.throttle import throttle_sign_in
from momoflow.auth.tokens import issue_token



@bp.post("/auth/login")
@public
@throttle_sign_in
def login():
    data = json_body()
    problems = fields.Problems()
    fields.email(data.get("email"), "email", problems)
    password = data.get("password")
    if not isinstance(password, str) or not password:
        problems.add("password", "Password is required")
    elif not fields.is_valid_text(password):
        problems.add("password", "Password must be valid text")
    problems.raise_if_any()
    user = sign_in(data["email"], data["password"])
    return jsonify({"success": True, "data": {"token": issue_token(user), "user": user_json(user)}})


@bp.get("/auth/me")
def me():
    return jsonify({"success": True, "data": {"user": user_json(g.api_user)}})
