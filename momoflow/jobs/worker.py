"""The RQ worker class: every job runs inside the Flask app, built once per process.

``rq worker-pool -n 2 -w momoflow.jobs.worker.AppWorker -S json events webhooks mail exports default``
(the Procfile's ``worker:`` line). SimpleWorker runs jobs in its own process instead of
forking one per job: forking costs more than our jobs do (RQ drains ~80 trivial jobs/s
forking, ~380/s per SimpleWorker here). Each pool worker also runs RQ's scheduler.
"""

import logging
import os

from rq.worker import SimpleWorker

from momoflow import outbox
from momoflow.database import utcnow
from momoflow.extensions import db
from momoflow.jobs import tick

log = logging.getLogger(__name__)

# How often each worker makes sure background work keeps moving: short enough that it
# notices soon when Redis came back empty (a restart without persistence) or when RQ's
# scheduler is gone (a killed worker holds its lock for a minute).
MAINTENANCE_SECONDS = int(os.environ.get("WORKER_MAINTENANCE_SECONDS", "30"))


class AppWorker(SimpleWorker):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("maintenance_interval", MAINTENANCE_SECONDS)
        kwargs.setdefault("worker_ttl", MAINTENANCE_SECONDS + 15)  # RQ waits worker_ttl - 15 s per dequeue
        super().__init__(*args, **kwargs)
        from momoflow import create_app

        self.app = create_app()

    def bootstrap(self, *args, **kwargs):
        super().bootstrap(*args, **kwargs)
        self._keep_work_moving()

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        self._keep_work_moving()

    def perform_job(self, job, queue, execution):
        with self.app.app_context():
            return super().perform_job(job, queue, execution)

    def _keep_work_moving(self):
        """Schedule the tick, and kick whatever is due without waiting for it: the sweep
        does not depend on RQ's scheduler being alive."""
        with self.app.app_context():
            tick.ensure_scheduled()
            try:
                outbox.sweep(utcnow())
            except Exception:
                log.exception("the maintenance sweep failed; the next one retries")
            finally:
                db.session.remove()
