"""Middleware: a Content Security Policy (Django 5.2 has none built in), a Permissions-Policy, no caching of what
a signed-in user is shown, a request size limit checked before the body is read, Chinese-first language, and the
one place where a page's refusal (a ``DomainError``) is caught: a message and a redirect, or what the view
declared."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accountability.errors import DomainError, NotFound

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """No inline scripts or styles anywhere: every page loads its code from static files."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response


#: Browser features no page of ours uses, switched off for every page (and anything injected into one).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(self), "
    "geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), "
    "xr-spatial-tracking=()"
)


class PrivateResponseMiddleware:
    """What a signed-in user is shown (cases, interference records, proceedings, exports) and every API answer is
    ``Cache-Control: no-store`` (and ``Pragma: no-cache`` for HTTP/1.0 proxies), so neither a shared proxy nor the
    browser's cache or back button keeps it after sign-out; every response carries the Permissions-Policy.
    Static files (whitenoise, earlier in the chain) keep their long caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
            response.headers.pop("Expires", None)
        return response


class RequestSizeLimitMiddleware:
    """A request declaring a body over ``QUANZE_REQUEST_MAX_BYTES`` is refused with 413 before anything reads it
    (Django's own limits count only the form fields, not files, and apply after the body has been received).
    A ``Content-Length`` that is not a number is a 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.QUANZE_REQUEST_MAX_BYTES
        try:
            length = int(declared)
        except ValueError:
            return self._refuse(request, 400, "bad_request", _("The request's length is not a number."))
        if length > limit:
            message = _("The request is too large (%(size)s); at most %(limit)s can be sent at once.") % {
                "size": filesizeformat(length),
                "limit": filesizeformat(limit),
            }
            return self._refuse(request, 413, "request_too_large", message)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"code": code, "message": message}, status=status)
        else:
            response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
        return response


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose otherwise: the language switch's cookie decides, not the browser.

    Court staff use browsers set up in many ways; the product's language is zh-hans by default and
    English only when someone picks it.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and translation.check_for_language(chosen) else settings.LANGUAGE_CODE
        language = translation.get_supported_language_variant(language)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


#: How a view shows a refusal itself: called as ``renderer(request, exc, *url_args, **url_kwargs)``; a response, or
#: None for the middleware's usual handling.
DomainErrorRenderer = Callable[..., HttpResponse | None]
_RENDERER = "domain_error_renderer"
View = TypeVar("View", bound=Callable[..., Any])


def renders_domain_errors(renderer: DomainErrorRenderer) -> Callable[[View], View]:
    """Declare how a view shows a refusal when a message and a redirect would be wrong: an htmx form whose
    fragment is re-rendered in place, a long form whose typed values and per-field problems are shown again, a
    page that says why a query cannot be read. The view still does not catch; :class:`DomainErrorMiddleware`
    finds the renderer on the resolved view and calls it. Other decorators (``login_required``) keep it::

        @login_required
        @renders_domain_errors(case_work_refused)
        def case_flag_raise(request, public_id): ...
    """

    def declare(view: View) -> View:
        setattr(view, _RENDERER, renderer)
        return view

    return declare


def domain_error_message(exc: DomainError) -> str:
    """The refusal as one line for a page: the message, then what each field was refused for, in brackets."""
    details = "; ".join(str(p) for problems in exc.details.values() if isinstance(problems, list) for p in problems)
    return f"{exc.message}（{details}）" if details and details != str(exc.message) else str(exc.message)


class DomainErrorMiddleware:
    """HTML views handle a ``DomainError`` here and nowhere else.

    How a view uses it: call the service and let its refusal propagate; do not catch it. On success the view
    adds its own success message and redirects, as usual::

        @login_required
        def proceeding_detail(request, public_id):
            if request.method == "POST":
                services.opinion_serve(actor=officer, proceeding=proceeding, expected_version=...)
                messages.success(request, _("Recorded."))
                return redirect(...)

    A refusal raised by a POST (or other unsafe) request to a page becomes an error message, the message followed
    by the fields at fault (:func:`domain_error_message`), and a redirect back to the page that posted: to the
    form's ``next`` field when that is a safe address on this site, otherwise to the same address, which then
    shows the page again with the message. A ``NotFound`` is a 404 whatever the method (a missing object and one
    the user may not see look the same). API requests (``/api/``) are left alone: DRF's exception handler
    gives them the one error body.

    A view that shows its refusals itself declares a renderer with :func:`renders_domain_errors`; it is asked
    first (after ``NotFound``), whatever the method, with the view's URL arguments, and the usual handling
    follows only when it returns None. Any other exception, and a ``DomainError`` raised while only reading a
    page that declares no renderer, goes on to Django's usual handling.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            raise Http404(str(exception.message)) from exception
        match = request.resolver_match
        renderer = getattr(match.func, _RENDERER, None) if match is not None else None
        if renderer is not None:
            response = renderer(request, exception, *match.args, **match.kwargs)
            if response is not None:
                return response
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return None
        messages.error(request, domain_error_message(exception))
        target = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return HttpResponseRedirect(target if target and safe else request.get_full_path())
