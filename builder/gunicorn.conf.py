"""gunicorn's settings for `make serve` (gunicorn -c builder/gunicorn.conf.py --bind HOST:PORT builder.wsgi).

Workers: one process per core the server may use (at least two), each answering one request at a
time (the sync worker). The work is CPU-bound (the domain XML engine, the templates): a process beyond
the cores does not add throughput, it only time-slices requests that would otherwise finish one after
another. Measured with `make bench` (20 clients on 2 cores, the preview), 5 processes (gunicorn's
2 x cores + 1) gave a p95 of 68 ms, 3 gave 53 ms, 2 gave 40 ms; threads were worse still (requests
that are all CPU take turns on one interpreter lock, and the queue grows unevenly). The cost: a push
to a libvirt host or a capability fetch may wait up to LIBVIRT_TIMEOUT seconds and holds its process
meanwhile. Where many pushes to slow hosts are expected, give more processes (GUNICORN_WORKERS) or
threads to each (GUNICORN_THREADS=4; gunicorn then uses gthread).
Nothing is kept per process that matters for correctness: sessions, login failures and locks are in
the database (what a process remembers for the preview, builder/domainxml/lru.py, is keyed by the
texts it was made from), so any number of these servers can share one PostgreSQL.
"""

import os

from builder.env import env_float, env_int

# The cores this process may run on (a container's CPU set), not every core of the machine.
workers = env_int("GUNICORN_WORKERS", max(2, len(os.sched_getaffinity(0))))
worker_class = "sync"
threads = env_int("GUNICORN_THREADS", 1)  # over 1: gunicorn switches to its gthread worker

# A worker silent for longer than `timeout` is restarted: a request may take the libvirt timeout plus
# the rendering around it.
timeout = int(env_float("LIBVIRT_TIMEOUT", 30.0)) + 30
graceful_timeout = 30
keepalive = 5

# What the server reads before Django sees a request: the request line (URL and query string), the
# number of header fields and the size of each. The body is limited in Django before it is read
# (builder.security.BodySizeLimitMiddleware, MAX_REQUEST_BYTES).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Restart each process now and then so a slow leak cannot grow without bound; the jitter keeps the
# processes from restarting together.
max_requests = 10000
max_requests_jitter = 1000

errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
proc_name = "domain-builder"
# gunicorn's runtime control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl): two
# servers on one machine would fight over it, and nothing here needs it.
control_socket_disable = True
