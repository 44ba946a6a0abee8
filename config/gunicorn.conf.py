"""gunicorn in production: `gunicorn -c config/gunicorn.conf.py config.wsgi` (behind deploy/nginx.conf).

Slow clients must not starve the service. A sync worker serves one request at a time, and a request
whose body arrives at one byte a second holds it for as long as the client likes: two such clients
stopped a 2-worker sync server (issue 11). Two layers prevent it:
- nginx in front buffers whole request bodies (`proxy_request_buffering on`) and cuts slow clients
  (`client_body_timeout`), so gunicorn only ever sees complete requests, at local speed;
- here, threaded workers (gthread): a slow client holds one thread, not a process, and the other
  threads keep answering. `bench/slow_clients.py` measures both worker classes;
  `tests/core/test_request_limits.py` starts this configuration and checks it.
Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 16))
# A request still running after this long is killed; its worker is replaced.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Request line and headers: refused beyond these sizes before any Django code runs.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# The client address comes from nginx's X-Forwarded-For, believed by Django only from
# WIF_TRUSTED_PROXIES (workinfrance/core/client.py); gunicorn itself trusts the local proxy only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"


def child_exit(server, worker):
    """Metrics of a finished worker stay counted, its live values are dropped (workinfrance.core.metrics)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
