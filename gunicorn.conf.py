"""gunicorn settings: `gunicorn tracker.wsgi` (run from the project folder) reads this file.

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30  # queries are cut at 2 s; a request never needs more
graceful_timeout = 30
keepalive = 5
max_requests = 10_000  # recycle workers now and then; jitter so they do not restart together
max_requests_jitter = 1_000
limit_request_line = 8190  # bytes of the request line: caps query strings
limit_request_fields = 100
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'
