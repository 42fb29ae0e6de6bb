"""``POST /api/v1/auth/login`` and ``GET /api/v1/auth/me``."""

from flask import g, jsonify

from momoflow.accounts.emails import normalize_email
from momoflow.accounts.schemas import user_json
from momoflow.accounts.services import sign_in
from momoflow.api import bp, json_body, public
from momoflow.auth.throttle import throttle_sign_in
from momoflow.auth.tokens import issue_token
from momoflow.errors import ValidationFailed
from momoflow.extensions import db

EMAIL_REQUIRED = "Valid email is required"


@bp.post("/auth/login")
@public
@throttle_sign_in
def login():
    data = json_body()
    problems = []
    if not normalize_email(data.get("email")):
        problems.append(("email", EMAIL_REQUIRED))
    if not isinstance(data.get("password"), str) or not data["password"]:
        problems.append(("password", "Password is required"))
    if problems:
        raise ValidationFailed(problems)
    user = sign_in(data["email"], data["password"])
    db.session.commit()
    return jsonify({"success": True, "data": {"token": issue_token(user), "user": user_json(user)}})


@bp.get("/auth/me")
def me():
    return jsonify({"success": True, "data": {"user": user_json(g.api_user)}})
