"""gunicorn's access log masks a NIK in the request line, query string and referrer, as the portal's own logs do."""

from __future__ import annotations

import datetime
import logging
import subprocess
import sys
from types import SimpleNamespace

from django.conf import settings
from gunicorn.config import Config

from psks_portal import gunicorn_conf

NIK = "3274014101900001"


def _logger(tmp_path, **options):
    cfg = Config()
    cfg.set("logger_class", gunicorn_conf.logger_class)
    cfg.set("accesslog", str(tmp_path / "access.log"))
    for name, value in options.items():
        cfg.set(name, value)
    return cfg.logger_class(cfg)


def _request_line(log, path: str, query: str) -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.1.2.3",
        "HTTP_REFERER": f"https://psks.example.go.id/registri/orang/?q={NIK}",
        "HTTP_USER_AGENT": "uji",
    }
    response = SimpleNamespace(status="200 OK", sent=123, headers=[("Content-Type", "text/html")])
    request = SimpleNamespace(headers=[("HOST", "psks.example.go.id")])
    log.access(response, request, environ, datetime.timedelta(seconds=0, microseconds=2500))


def test_the_config_module_names_the_masking_logger():
    cfg = Config()
    cfg.set("logger_class", gunicorn_conf.logger_class)
    assert cfg.logger_class is gunicorn_conf.MaskingLogger
    assert gunicorn_conf.accesslog == "-"


def test_a_nik_in_a_request_is_masked_in_the_access_log(tmp_path):
    log = _logger(tmp_path)
    _request_line(log, f"/registri/tksk/kecamatan/32.74.01/calon/tambah/{NIK}/", f"nik={NIK}&cari=abc")
    for handler in log.access_log.handlers:
        handler.flush()
    line = (tmp_path / "access.log").read_text()
    assert NIK not in line
    assert line.count("3274********0001") == 3  # path, query string and referrer
    assert '"GET /registri/tksk/kecamatan/32.74.01/calon/tambah/3274********0001/?nik=3274********0001' in line
    assert "32.74.01" in line and " 200 123 " in line  # the rest of the line is untouched


def test_the_error_log_is_masked_too(tmp_path):
    log = _logger(tmp_path, errorlog=str(tmp_path / "error.log"))
    log.error("Invalid request from %s: /orang/%s/", "10.1.2.3", NIK)
    for handler in log.error_log.handlers:
        handler.flush()
    text = (tmp_path / "error.log").read_text()
    assert NIK not in text and "/orang/3274********0001/" in text


def test_a_second_setup_adds_no_second_filter(tmp_path):
    log = _logger(tmp_path)
    log.setup(log.cfg)
    assert (
        len(
            [
                f
                for f in logging.getLogger("gunicorn.access").filters
                if f.__class__.__name__ == "MaskPersonalDataFilter"
            ]
        )
        == 1
    )


def test_gunicorn_accepts_the_config_module():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            "-c",
            "python:psks_portal.gunicorn_conf",
            "psks_portal.wsgi",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
