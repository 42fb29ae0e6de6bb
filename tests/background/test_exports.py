"""Report files built by a real ``rq worker-pool`` (Redis set): asked for over HTTP, built by
a worker, downloaded by the signed link; and asked for while Redis is down, built once it
is back (the tick finds the queued export)."""

import csv
import io

import pytest
import requests

from momoflow.accounts.services import find_organization
from momoflow.apikeys.services import create_api_key
from momoflow.extensions import db
from tests.background.services import wait_for

pytestmark = pytest.mark.usefixtures("committed_demo")


@pytest.fixture
def worker_environment(worker_environment, background_app):
    """The workers write files where the app serves them from (one shared folder)."""
    return {**worker_environment, "EXPORT_FOLDER": background_app.config["EXPORT_FOLDER"]}


@pytest.fixture
def ask(background_app, served):
    with background_app.app_context():
        _, secret = create_api_key(find_organization("demo"), "Reports")
        db.session.commit()
        db.session.remove()

    def post(**body):
        response = requests.post(f"{served}/v1/flows/report", json={"flowId": "flow_123abc", **body}, timeout=30,
                                 headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 202, response.text
        return response.json()

    return post


def downloaded(served, answer, workers):
    """The file once a worker has built it (202 until then)."""
    assert answer["downloadUrl"].startswith(f"{served}/v1/exports/")  # the host the caller used

    def ready():
        response = requests.get(answer["downloadUrl"], timeout=30)
        assert response.status_code in (200, 202), response.text
        return response if response.status_code == 200 else None

    return wait_for(ready, timeout=60, what=lambda: f"the export to be built; worker log:\n{workers.log()[-3000:]}")


def test_a_worker_builds_the_file(ask, served, workers):
    answer = ask(format="csv", detailed=True)
    rows = list(csv.reader(io.StringIO(downloaded(served, answer, workers).content.decode("utf-8-sig"))))
    assert rows[0][0] == "Assignment ID" and len(rows) == 1  # the test demo has nobody on the flow yet
    # The worker writes its log line after the job returns, so after the file can be served.
    wait_for(lambda: "Successfully completed momoflow.exports.services.drain" in workers.log(), timeout=30,
             what=lambda: f"the worker's log of the build:\n{workers.log()[-3000:]}")


def test_asked_for_while_redis_is_down_it_is_built_once_redis_is_back(ask, served, workers, redis_server):
    redis_server.stop()
    answer = ask(format="excel")  # the API keeps answering; the export waits in the database
    redis_server.start()  # back, and empty: the tick's sweep finds the queued export
    response = downloaded(served, answer, workers)
    assert response.content.startswith(b"PK")  # a zip: the .xlsx
