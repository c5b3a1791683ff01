"""Languages and time zones: the locale per user/browser, translation catalogues, local times."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from functools import cached_property, lru_cache

from flask import current_app, g, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale, gettext
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from flask_login import current_user

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LOCALES = ("zh_CN", "en")
# Babel parses zh_CN as zh_Hans_CN, whose gettext fallbacks are zh_Hans_CN and zh: the zh_CN catalogue lives in zh/.
CATALOG_DIR = "zh"
# Parsed once: Flask-Babel passes a Locale through as is, while parsing a code reads locale data each request.
PARSED_LOCALES = {code: Locale.parse(code) for code in LOCALES}


def catalog_domains() -> list[str]:
    """One .po per domain area: areas are written in parallel without fighting over one file."""
    po_dir = TRANSLATIONS_DIR / CATALOG_DIR / "LC_MESSAGES"
    domains = sorted(p.stem for p in po_dir.glob("*.po"))
    # "messages" first so an area's own translation of the same msgid wins over the shared one.
    return sorted(domains, key=lambda d: d != "messages")


def compile_catalogs() -> int:
    """Compile every .po whose .mo is missing or older; returns how many were compiled."""
    compiled = 0
    for po_path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale="zh_CN")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        compiled += 1
    return compiled


class LazyMessage(LazyString):
    """Flask-Babel's lazy string, except that a page escapes the variables in it.

    Flask-Babel's marks the whole formatted message as safe HTML, so a variable holding what somebody typed
    (a serial, a phone number in an import file) would reach the page unescaped.
    """

    def __html__(self):
        (message,) = self._args
        translated = Markup(catalogue().ugettext(message))
        return translated % self._kwargs if self._kwargs else translated


def lazy_gettext(message: str, **variables) -> LazyMessage:
    """`_l`: a message translated when it is shown, for forms and module-level constants."""
    return LazyMessage(gettext, message, **variables)


class RequestCachedDomain(Domain):
    """Flask-Babel's domain, keeping the catalogue it found for the request's locale.

    A page translates fifty-odd messages, and Flask-Babel looks up domain, locale and catalogue anew for
    each (about 13 µs on a small server). The catalogue is kept with the locale it belongs to, so
    force_locale() and refresh(), which replace the locale, still switch catalogues.
    """

    def get_translations(self):
        try:
            state = g._flask_babel
            owner, locale, catalogue = state.request_catalogue
            if owner is self and locale is state.babel_locale:
                return catalogue
        except (AttributeError, RuntimeError):  # first message of the request, or no app context
            pass
        catalogue = super().get_translations()
        if g:
            state = g._flask_babel
            state.request_catalogue = (self, state.babel_locale, catalogue)
        return catalogue


class RequestCachingBabel(Babel):
    @cached_property
    def domain_instance(self):
        return RequestCachedDomain(domain=self.domain)


_babel: RequestCachingBabel | None = None


def catalogue():
    """The request's translations, found as Flask-Babel's gettext() finds them but in one step: a page shows
    fifty-odd messages, and gettext() looks up the app, its Babel, the domain and the locale for each."""
    return _babel.domain_instance.get_translations()


def init_babel(app, babel: RequestCachingBabel) -> None:
    global _babel
    _babel = babel  # one per process (fieldservice.extensions), whichever app is running
    babel.init_app(app, locale_selector=select_locale)

    app.jinja_env.globals.update(template_translators())


def template_translators(translations=None) -> dict:
    """`_`, `gettext` and `ngettext` for templates: translate, mark safe when autoescaping, and always %-format
    so the variables are escaped.

    Flask-Babel's own reach the catalogue through three context calls per message, and a page has fifty-odd.
    Without `translations` they look the catalogue up per message (the Jinja globals, for macros imported
    without context); each render gets a set bound to the request's catalogue (web.template_context). They
    take the evaluation context, not the context: Jinja copies the context for every call of a context
    function made after a {% set %} in a block.
    """
    def lookup():
        return catalogue() if translations is None else translations

    @pass_eval_context
    def template_gettext(eval_ctx, string, **variables):
        translated = lookup().ugettext(string)
        return (Markup(translated) if eval_ctx.autoescape else translated) % variables

    @pass_eval_context
    def template_ngettext(eval_ctx, singular, plural, num, **variables):
        variables.setdefault("num", num)
        translated = lookup().ungettext(singular, plural, num)
        return (Markup(translated) if eval_ctx.autoescape else translated) % variables

    return {"_": template_gettext, "gettext": template_gettext, "ngettext": template_ngettext}


def select_locale() -> Locale:
    code = _locale_code()
    return PARSED_LOCALES.get(code) or Locale.parse(code)


def _locale_code() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    return _browser_locale(request.headers.get("Accept-Language", "")) or current_app.config["BABEL_DEFAULT_LOCALE"]


@lru_cache(maxsize=256)
def _browser_locale(accept_language: str) -> str | None:
    # A browser sends the same header with every request; parsing it cost as much as a translated message.
    best = parse_accept_header(accept_language, LanguageAccept).best_match(["zh_CN", "zh", "zh-CN", "en"])
    if best is None:
        return None
    return "en" if best == "en" else "zh_CN"


def current_locale() -> str:
    return str(get_locale() or "zh_CN")


def service_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["SERVICE_TIMEZONE"])


def local_now() -> datetime:
    from .database import utcnow

    return utcnow().astimezone(service_tz())


def local_today() -> date:
    return local_now().date()


def to_local(value: datetime) -> datetime:
    # Times are stored in UTC; a naive one is taken as UTC as well.
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(service_tz())


# Numeric dates and times read the same in both languages, so they skip Babel's pattern formatting,
# which costs more than the rest of a table cell.
def fmt_datetime(value: datetime | None) -> str:
    return "" if value is None else to_local(value).strftime("%Y-%m-%d %H:%M")


def fmt_time(value: datetime | None) -> str:
    return "" if value is None else to_local(value).strftime("%H:%M")


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_local(value).date().isoformat()
    return value.isoformat()


def fmt_countdown(deadline: datetime | None, overdue_label: str = "") -> str:
    """The time left until `deadline` (or past it, after `overdue_label`): "24 h 0 min", "24小时0分".

    The text before the page's script runs. static/js/app.js keeps it up to date from the same message,
    which base.html puts on <body> (data-countdown) with {h} and {m} for the numbers."""
    if deadline is None:
        return ""
    from .database import utcnow

    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=timezone.utc)
    seconds = (deadline - utcnow()).total_seconds()
    minutes = int(abs(seconds) / 60 + 0.5)  # Math.round in app.js
    text = gettext("%(hours)s h %(minutes)s min", hours=minutes // 60, minutes=minutes % 60)
    return f"{overdue_label} {text}" if seconds < 0 and overdue_label else text


def init_app(app) -> None:
    domains = catalog_domains()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join([str(TRANSLATIONS_DIR)] * len(domains)))
    app.config.setdefault("BABEL_DOMAIN", ";".join(domains))
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["SERVICE_TIMEZONE"])
    app.jinja_env.filters.update(dt=fmt_datetime, time=fmt_time, date=fmt_date, countdown=fmt_countdown)


ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2),
            "lazy_ngettext": (1, 2), "_n": (1, 2)}


def extract_messages() -> dict[str, list[str]]:
    """Every translatable message in the code and templates, with where it is used."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, list[str]] = {}
    sources = [(ROOT / "fieldservice", [("**.py", "python")]), (ROOT / "templates", [("**.html", "jinja2")])]
    for directory, method_map in sources:
        for filename, lineno, message, _comments, _context in extract_from_dir(
                directory, method_map, keywords=KEYWORDS, options_map={"**.html": {"trimmed": "true"}},
                directory_filter=_wanted_directory):
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid:
                    found.setdefault(msgid, []).append(f"{directory.name}/{filename}:{lineno}")
    return found


def _wanted_directory(dirpath: str) -> bool:
    # Babel skips "_*" folders by default, which would hide templates/_macros.
    name = Path(dirpath).name
    return not name.startswith(".") and name != "__pycache__"


def translated_messages() -> dict[str, str]:
    """The zh_CN translations of every domain."""
    translated: dict[str, str] = {}
    for po_path in sorted((TRANSLATIONS_DIR / CATALOG_DIR / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale="zh_CN")
        for message in catalog:
            if message.id and not message.fuzzy:
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if all(strings):
                    for msgid in ids:
                        translated[msgid] = strings[0]
    return translated


def missing_translations() -> dict[str, list[str]]:
    translated = translated_messages()
    return {msgid: where for msgid, where in extract_messages().items() if msgid not in translated}


def conflicting_translations() -> dict[str, dict[str, str]]:
    """Messages translated differently by two area catalogues: the merged catalogue would keep only one."""
    seen: dict[str, dict[str, str]] = {}
    for po_path in sorted((TRANSLATIONS_DIR / CATALOG_DIR / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale="zh_CN")
        for message in catalog:
            if message.id and not message.fuzzy and isinstance(message.id, str) and message.string:
                seen.setdefault(message.id, {})[po_path.stem] = message.string
    return {msgid: by_domain for msgid, by_domain in seen.items() if len(set(by_domain.values())) > 1}
