"""The baseline: a bare Flask JSON endpoint, served by the same gunicorn command as the app.

``gunicorn bench.assign.bare_app:app``. It takes the same request as ``POST /v1/flows/assign``
(headers and body, which it does not read) and answers a small JSON body, so the ratio
assign / bare is the price of everything MomoFlow does on top of Flask and gunicorn.
"""

from flask import Flask

app = Flask(__name__)


@app.post("/bare")
def bare():
    return {"success": True, "message": "ok"}, 200
