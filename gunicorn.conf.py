"""gunicorn settings for ReturnWatch (docs/deploy.md): serve the site, log no client address.

gunicorn reads this file from the directory it starts in (or `--config gunicorn.conf.py`).
Settings given on the command line or in GUNICORN_CMD_ARGS override these.
"""

import logging
import os
import re

from gunicorn.glogging import Logger

wsgi_app = "returnwatch.wsgi"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Load the app once, before the workers fork: they then share the tip rate limit's key, which
# lives only in process memory (returnwatch/intake/privacy.py, docs/deploy.md).
preload_app = True
# Upload checks and the first statistics after a restart can take a while.
timeout = 60
accesslog = "-"
errorlog = "-"
# Time, request line, status, size, duration: no %(h)s, no forwarded-for or other header.
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(L)ss'

# gunicorn's one message with a client address: "Invalid request from ip=…: …" (a request
# line over 4,094 bytes, a malformed header). The address goes, the reason stays.
INVALID_REQUEST = re.compile(r"Invalid request from ip=.*?: ")


class NoAddressFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "ip=" in message:
            record.msg, record.args = INVALID_REQUEST.sub("Invalid request: ", message), ()
        return True


class NoAddressLogger(Logger):
    """gunicorn's logger, with no client address in the error log or the access log."""

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(NoAddressFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = "-"  # even if a format with %(h)s is given on the command line
        for key in atoms:
            if key.startswith("{") and ("forwarded" in key or "real-ip" in key):
                atoms[key] = "-"
        return atoms


logger_class = NoAddressLogger
