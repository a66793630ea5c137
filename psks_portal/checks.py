"""Deployment checks of the portal, run by ``manage.py check --deploy`` (CI fails on any warning)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

W001 = "psks_portal.W001"


@register(Tags.security, deploy=True)
def check_proxy_count(app_configs=None, **kwargs) -> list[Warning]:
    """Behind a TLS proxy every request comes from the proxy's address unless django-axes is told how many proxies
    to skip in ``X-Forwarded-For``: five wrong passwords from anyone would then lock a user name for everyone."""
    if getattr(settings, "BEHIND_TLS_PROXY", False) and not getattr(settings, "AXES_IPWARE_PROXY_COUNT", None):
        return [
            Warning(
                "BEHIND_TLS_PROXY is on but AXES_PROXY_COUNT is 0: the login throttle sees every client with the "
                "proxy's address, so five wrong passwords from anyone lock that user name for everyone.",
                hint="Set AXES_PROXY_COUNT to the number of proxies in front of the portal (usually 1).",
                id=W001,
            )
        ]
    return []
