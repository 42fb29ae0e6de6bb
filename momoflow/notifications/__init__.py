"""Telling people what happened: in-app notifications (the bell) and email."""
