"""Deciding from an email: the Approve and Reject links in "your turn" emails.

``links`` puts the buttons into the emails the notification handler renders and gives
each email its single-use token when it is sent; ``services`` says what a link may
still do and decides through the workflow services; ``views`` are the confirmation
pages, which never act on a GET.
"""

from flask import Blueprint

bp = Blueprint("email_decisions", __name__)
