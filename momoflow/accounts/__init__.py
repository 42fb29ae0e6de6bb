"""Organisations and the people in them."""

from flask import Blueprint

bp = Blueprint("people", __name__)
