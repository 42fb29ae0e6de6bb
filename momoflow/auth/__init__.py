"""Signing in: the browser session (Flask-Login) and API tokens (JWT)."""
