"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`.

Timeouts agree with each other (docs/operations.md, "Timeouts"): a web
worker is allowed longer than the slowest thing a request may do, which is
rendering a PDF (SAR_PDF_TIMEOUT_SECONDS: the breach letter and the record
of processing render in the request; the access response is a background
job), so a request is never killed half-way through writing one.
"""

import os

_pdf_seconds = int(os.environ.get("SAR_PDF_TIMEOUT_SECONDS", "120"))

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("WEB_TIMEOUT_SECONDS", str(_pdf_seconds + 30)))
# On SIGTERM (a deploy), requests in flight get as long to finish.
graceful_timeout = timeout
# Behind the TLS proxy on the same machine.
forwarded_allow_ips = "127.0.0.1"
