"""Gunicorn's threaded worker, noting when a request on a kept-alive connection was queued for a free thread.

During a deadline rush every thread of a worker may be busy; a request whose bytes have arrived then waits in the
worker's queue. ``ArrivalStamp`` (``core/requests.py``) runs only when a thread takes the request, so this worker
class notes the earlier moment and hands it over in a thread-local. A new connection is noted only once its data is
there (never when it is merely opened), so a connection opened before a deadline earns nothing.

    worker_class = "competition.core.serving.ArrivalThreadWorker"   (gunicorn.conf.py, when threads > 1)
"""

from __future__ import annotations

import time

from gunicorn.workers.gthread import ThreadWorker

from .requests import SERVER_STAMP


class ArrivalThreadWorker(ThreadWorker):
    def enqueue_req(self, conn):
        # Kept-alive and deferred connections come here when their data is readable; a fresh one before its data.
        conn.competition_queued_at = time.time() if (conn.initialized or conn.data_ready) else None
        super().enqueue_req(conn)

    def handle_request(self, req, conn):
        SERVER_STAMP.arrived_at = getattr(conn, "competition_queued_at", None)
        conn.competition_queued_at = None
        try:
            return super().handle_request(req, conn)
        finally:
            SERVER_STAMP.arrived_at = None
