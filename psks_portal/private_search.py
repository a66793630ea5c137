"""Search text never travels in a URL: it may be a NIK or a name, and URLs end up in access logs, proxy logs and the
browser's history.

A filter form with a search field is posted (CSRF-protected); the view answers with a redirect (POST-redirect-GET, so
back and refresh work) whose query string carries the other filters and, instead of the text, an opaque random key
(``?cari=…``) under which the text waits in the session. The list page, its pages and its exports read the text back
with ``query_with_search``. A search text in the URL itself (``?q=…``) is ignored.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponseRedirect, QueryDict

PARAM = "cari"
SESSION_KEY = "private_searches"
KEEP = 20  # searches remembered per session (the oldest go first)


def stash(request: HttpRequest, text: str) -> str:
    """Keep ``text`` in the session under a new random key and return the key."""
    key = secrets.token_urlsafe(12)
    saved = dict(request.session.get(SESSION_KEY, {}))
    saved[key] = text
    for old in list(saved)[:-KEEP]:
        del saved[old]
    request.session[SESSION_KEY] = saved
    return key


def recall(request: HttpRequest, key: str | None) -> str | None:
    """The text stashed under ``key`` in this session, or ``None`` (unknown, expired, or another user's key)."""
    return request.session.get(SESSION_KEY, {}).get(key) if key else None


def query_with_search(request: HttpRequest, field: str = "q") -> QueryDict:
    """The request's query string with ``field`` taken from the session (``?cari=<key>``), never from the URL."""
    data = request.GET.copy()
    data.pop(field, None)
    text = recall(request, data.get(PARAM))
    if text:
        data[field] = text
    return data


def public_query(request: HttpRequest, *drop: str) -> str:
    """The request's query string for links (pages, exports): the search key stays, ``drop`` and raw text go."""
    query = request.GET.copy()
    for key in ("q", *drop):
        query.pop(key, None)
    return query.urlencode()


def redirect_after_post(request: HttpRequest, field: str = "q") -> HttpResponseRedirect:
    """Answer a posted filter form with ``303 See Other`` to the same page: ``field`` into the session, the other
    filled-in fields into the query string."""
    query = QueryDict(mutable=True)
    for key, values in request.POST.lists():
        kept = [v for v in values if v.strip()]
        if key not in (field, "csrfmiddlewaretoken", PARAM) and kept:
            query.setlist(key, kept)
    text = request.POST.get(field, "").strip()
    if text:
        query[PARAM] = stash(request, text)
    return see_other(f"{request.path}?{query.urlencode()}" if query else request.path)


def redirect_to_key(request: HttpRequest, url: str, text: str) -> HttpResponseRedirect:
    """``303 See Other`` to ``url?cari=<key>``, with ``text`` stashed under that key."""
    return see_other(f"{url}?{PARAM}={stash(request, text)}")


def see_other(url: str) -> HttpResponseRedirect:
    """The answer to a POST that only chose what to show: the browser GETs ``url``, so refresh does not re-post."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
