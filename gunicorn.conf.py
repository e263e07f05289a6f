"""gunicorn settings: `gunicorn tracker.wsgi` (run from the project folder) reads this file.

Every value can be overridden with the GUNICORN_* variables below, on the command line or with
GUNICORN_CMD_ARGS. README "Running in production" explains the topology this is made for:
nginx (deploy/nginx.conf) in front, buffering every request and response, and gunicorn bound
where only nginx reaches it (a Unix socket, or loopback), so that neither a slow client nor a
made-up X-Forwarded-For can reach the workers.
"""

import multiprocessing
import os

# Loopback by default (never all interfaces): the documented topology uses a Unix socket,
# GUNICORN_BIND=unix:/run/tracker/gunicorn.sock, which only nginx can open.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads: a request waiting on PostgreSQL or on a slow network write holds a thread, not a
# process. Each process has a pool of DATABASE_POOL_MAX_SIZE connections (default: its threads).
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# gthread's timeout is the worker process's heartbeat, not a request's duration: a process stuck
# this long is killed, but a long export streaming in one of its threads is not (SPEC §8: long
# downloads are never cut). Queries are cut at 2 s by statement_timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# A worker being recycled (max_requests) or stopped (SIGTERM, a deploy) finishes what it is
# sending for up to this long, so an export in progress is not cut: 1,000,000 rows stream in
# about a minute.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "300"))
keepalive = 5
# Recycle each worker after about this many requests (guarding against slow leaks); the jitter
# spreads the restarts so the workers never all restart in the same second.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", str(max(1, max_requests // 10))))
# Request size limits are nginx's (32 KB lines and headers, JSON 414/431 bodies): behind it, 0
# lets through what nginx accepted (2,000 characters of any script in a quote check's URL).
# Reached directly (local work), gunicorn's own default of 8190 bytes applies.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
limit_request_fields = 100
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "8190"))
# Only nginx's X-Forwarded-Proto is trusted: nginx reaches a socket as no address ("unix" is
# what gunicorn matches), or over loopback.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'
