"""The RQ worker class: every job runs inside the Flask app, built once per process.

``rq worker-pool -n 2 -w momoflow.jobs.worker.AppWorker -S json events webhooks mail default``
(the Procfile's ``worker:`` line). SimpleWorker runs jobs in its own process instead of
forking one per job: forking costs more than our jobs do (RQ drains ~80 trivial jobs/s
forking, ~380/s per SimpleWorker here). Each pool worker also runs RQ's scheduler.
"""

import logging
import os

from rq.worker import SimpleWorker

from momoflow.jobs import tick

log = logging.getLogger(__name__)

# Short enough that a worker notices soon that Redis came back empty (a restart without
# persistence) and schedules the tick again, which finds whatever waited meanwhile.
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
        self._ensure_tick()

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        self._ensure_tick()

    def perform_job(self, job, queue, execution):
        with self.app.app_context():
            return super().perform_job(job, queue, execution)

    def _ensure_tick(self):
        with self.app.app_context():
            tick.ensure_scheduled()
