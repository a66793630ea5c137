"""gunicorn settings for the portal: its access and error logs mask 16-digit numbers (NIK, No. KK) exactly as the
application's own logs do (``psks_portal.logging``). Use it with ``-c``::

    .venv/bin/gunicorn psks_portal.wsgi -c python:psks_portal.gunicorn_conf --workers 4 --bind 127.0.0.1:8000

The portal puts no NIK in a URL (searches and look-ups are posted), but a user can still type one into the address
bar or follow an old bookmark; the request line, the query string and the referrer of such a request are masked.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from psks_portal.logging import MaskPersonalDataFilter

accesslog = "-"  # to stdout, next to the application's log on stderr (the process manager keeps both)
logger_class = "psks_portal.gunicorn_conf.MaskingLogger"


class MaskingLogger(Logger):
    """gunicorn's logger with the portal's masking filter on its access and error loggers (any handler or syslog)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, MaskPersonalDataFilter) for f in log.filters):
                log.addFilter(MaskPersonalDataFilter())
