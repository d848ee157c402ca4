"""gunicorn's settings, read by default from the directory gunicorn starts in (the image's /app, the checkout).

The one thing gunicorn cannot be told by an option: it names itself in a ``Server: gunicorn`` header on every
response, which tells an attacker what to look up. The header is left out here; everything else is gunicorn's
default or given on the command line (``--bind``, ``--workers``)."""

from gunicorn.http import wsgi as _gunicorn_wsgi

_default_headers = _gunicorn_wsgi.Response.default_headers


def _without_server(self):  # noqa: ANN001, ANN202 (gunicorn's own signature)
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _without_server
