"""Languages and time zones: the locale per user/browser, translation catalogues, local times."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LOCALES = ("zh_CN", "en")
# Babel parses zh_CN as zh_Hans_CN, whose gettext fallbacks are zh_Hans_CN and zh: the zh_CN catalogue lives in zh/.
CATALOG_DIR = "zh"


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


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    best = request.accept_languages.best_match(["zh_CN", "zh", "zh-CN", "en"])
    if best is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
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
    return value.astimezone(service_tz())


def fmt_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    return "" if value is None else format_datetime(value, fmt)


def fmt_time(value: datetime | None) -> str:
    return "" if value is None else format_datetime(value, "HH:mm")


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "yyyy-MM-dd")
    return format_date(value, "yyyy-MM-dd")


def init_app(app) -> None:
    domains = catalog_domains()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join([str(TRANSLATIONS_DIR)] * len(domains)))
    app.config.setdefault("BABEL_DOMAIN", ";".join(domains))
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["SERVICE_TIMEZONE"])
    app.jinja_env.filters.update(dt=fmt_datetime, time=fmt_time, date=fmt_date)


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
