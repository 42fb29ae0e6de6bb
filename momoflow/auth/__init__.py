"""Signing in: the browser session (Flask-Login) and API tokens (JWT)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
