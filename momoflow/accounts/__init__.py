"""Organisations and the people in them."""
