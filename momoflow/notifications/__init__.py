"""Telling people what happened: in-app notifications (the bell) and email."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
