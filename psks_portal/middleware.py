"""The portal's own middleware: password change first, Indonesian first, and nothing kept in caches."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

ALLOWED_PATHS = ("password_change", "logout", "set_language")


class PasswordChangeRequiredMiddleware:
    """Send a user whose password was set by an administrator to the password-change page before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse(name) for name in ALLOWED_PATHS}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


class PortalLocaleMiddleware:
    """Indonesian unless the user chose another language (cookie from the language switch).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many office PCs run an English
    browser; the portal speaks Indonesian first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # The thread serves other requests (and jobs) next: leave no language behind.
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class NoStoreMiddleware:
    """Browsers and proxies keep no copy of any page or file the portal makes (``Cache-Control: no-store``).

    Nearly every page shows personal data (names, NIK, birth dates, phone numbers, PMKS categories), and offices
    share computers: a cached copy would outlive the logout. A view whose answer may be cached sets its own
    ``Cache-Control`` (e.g. ``@cache_control(max_age=…)``), which is left alone. Static files never reach this
    (WhiteNoise answers them first, with long-lived cache headers for hashed names).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
