"""A hostile-input crawler: follows every link and form a role can reach and sends each one bad values.

It reports every answer of 500 or more (with the logged exception) so that one run lists them all.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

HUGE_INTS = ["0", "99999999999", str(2**31), str(2**63), str(2**64), "9" * 40, "9" * 5000]
HOSTILE = ["", "abc", "-1", "0", "99999999999", str(2**63), "9" * 40, "9" * 5000, "1e309", "NaN", "-0.5", "²",
           "2026-02-30", "0001-01-01", "9999-12-31", "\x00", "a\x00b", "x" * 10_000, "<script>alert(1)</script>",
           "😀ＡＢＣ１２３", "%00", "../../etc/passwd"]
# The values that found faults, for a quicker crawl.
QUICK = ["abc", str(2**31), str(2**63), "9" * 5000, "²", "0001-01-01", "9999-12-31", "\x00", "x" * 10_000]
QUERY_NAMES = ["page", "q", "date", "day", "days", "due", "kind", "mine", "start", "end", "status", "customer_id",
               "unit_id", "request_id", "phone", "revision", "limit", "next", "technician_id", "model_id",
               "part_id", "location_id", "product_line", "assignee", "at_risk", "serial", "on"]
# Leaving the session would end the crawl; the password and user forms would lock the crawler out.
SKIP_ACTIONS = re.compile(r"^/logout|/password$|^/admin/users/\d+$")


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(Form(action=a.get("action") or "", method=(a.get("method") or "get").lower()))
        elif not self.forms or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                self.forms[-1].fields.setdefault(a["name"], [])
            elif kind not in ("submit", "button", "file"):
                self.forms[-1].fields.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "textarea":
            self.forms[-1].fields.setdefault(a["name"], []).append("")
        elif tag == "select":
            self._select = a["name"]
            self.forms[-1].fields.setdefault(a["name"], [])
        if tag == "option" and self._select and self.forms:
            values = self.forms[-1].fields[self._select]
            if not values or "selected" in a:
                self.forms[-1].fields[self._select] = [a.get("value", "")]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


@dataclass
class Failure:
    method: str
    url: str
    data: object
    status: int
    error: str

    def __str__(self):
        data = repr(self.data)
        return f"{self.method} {self.url[:200]} {data[:300]} -> {self.status}\n    {self.error}"


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.last = ""

    def emit(self, record):
        if record.exc_info:
            self.last = f"{record.exc_info[0].__name__}: {str(record.exc_info[1])[:300]}"


class Crawler:
    def __init__(self, app, client, *, thorough: bool = True, headers: dict | None = None,
                 attacked: set[str] | None = None):
        """`thorough` sends every hostile value to every parameter, one by one too; otherwise the QUICK values,
        and only to endpoints not yet in `attacked` (shared by the crawlers of several roles)."""
        self.app, self.client, self.thorough = app, client, thorough
        self.per_endpoint = 2 if thorough else 1
        self.attacked = attacked if attacked is not None else set()
        self.headers = headers or {}
        self.failures: list[Failure] = []
        self.requests = 0
        self._errors = _Errors()
        app.logger.addHandler(self._errors)

    def summary(self) -> str:
        """One example per route, method and error."""
        groups: dict[tuple, list[Failure]] = {}
        for failure in self.failures:
            try:
                rule = self.app.url_map.bind("localhost").match(urlsplit(failure.url).path, method=failure.method,
                                                                return_rule=True)[0].rule
            except Exception:  # noqa: BLE001
                rule = urlsplit(failure.url).path
            groups.setdefault((failure.method, rule, failure.error), []).append(failure)
        return "\n".join(f"[{len(items)}x] {items[0]}" for items in groups.values())

    def close(self):
        self.app.logger.removeHandler(self._errors)

    def send(self, method: str, url: str, **kwargs):
        self._errors.last = ""
        self.requests += 1
        kwargs.setdefault("headers", self.headers)
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 - a crash of the test client is a failure like a 500
            self.failures.append(Failure(method, url, kwargs.get("data") or kwargs.get("json"), 599,
                                         f"{type(error).__name__}: {error}"[:300]))
            return None
        if response.status_code >= 500:
            self.failures.append(Failure(method, url, kwargs.get("data") or kwargs.get("json"),
                                         response.status_code, self._errors.last))
        return response

    # --- discovery --------------------------------------------------------------------------------------------

    def _endpoint(self, url: str) -> str | None:
        path = urlsplit(url).path
        try:
            endpoint, _args = self.app.url_map.bind("localhost").match(path, method="GET")
        except Exception:  # noqa: BLE001 - not a GET route of the app
            return None
        return endpoint

    def discover(self, start: list[str]) -> tuple[list[str], list[Form]]:
        """GET pages breadth-first from `start`, at most `per_endpoint` URLs an endpoint; their links and forms."""
        seen: dict[str, int] = {}
        queue, pages, forms, visited = list(start), [], [], set()
        while queue:
            url = queue.pop(0)
            parts = urlsplit(url)
            if parts.netloc or not parts.path.startswith("/") or url in visited:
                continue
            endpoint = self._endpoint(url)
            if endpoint is None or endpoint == "static" or seen.get(endpoint, 0) >= self.per_endpoint:
                continue
            visited.add(url)
            seen[endpoint] = seen.get(endpoint, 0) + 1
            response = self.send("GET", url)
            pages.append(url)
            if response is None or "html" not in (response.content_type or ""):
                continue
            page = _Page()
            page.feed(response.get_data(as_text=True))
            queue.extend(page.links)
            for form in page.forms:
                form.action = form.action or parts.path
                if form.method == "get" and form.fields:
                    queue.append(f"{form.action}?{urlencode(_first(form.fields))}")
                forms.append(form)
        return pages, _unique(forms)

    # --- attacks ----------------------------------------------------------------------------------------------

    def _first_time(self, attack: str, method: str, url: str) -> bool:
        """Whether this route is still to be attacked this way (always, when thorough)."""
        try:
            rule = self.app.url_map.bind("localhost").match(urlsplit(url).path, method=method, return_rule=True)[0]
        except Exception:  # noqa: BLE001 - an unknown URL is attacked each time; it is cheap
            return True
        key = f"{attack} {method} {rule.rule}"
        if self.thorough or key not in self.attacked:
            self.attacked.add(key)
            return True
        return False

    def attack_paths(self, urls: list[str], method: str = "GET") -> None:
        """Each number in the path replaced by missing, huge and overflowing ids; other segments by bad text."""
        for url in urls:
            path = urlsplit(url).path
            if not self._first_time("path", method, path):
                continue
            try:
                args = self.app.url_map.bind("localhost").match(path, method=method)[1]
            except Exception:  # noqa: BLE001
                continue
            for arg in map(str, args.values()):
                match = re.search(f"/({re.escape(arg)})(?=/|$)", path)
                if match is None:
                    continue
                values = HUGE_INTS if arg.isdigit() else ["x" * 10_000, "%00", "%C2%B2", "-1", "SR-20261122-9999"]
                for value in values if self.thorough else values[2:5] if arg.isdigit() else values[:3]:
                    self.send(method, path[:match.start(1)] + value + path[match.end(1):])

    def attack_query(self, urls: list[str]) -> None:
        for url in urls:
            parts = urlsplit(url)
            if not self._first_time("query", "GET", parts.path):
                continue
            own = {k for k, _ in parse_qsl(parts.query)}
            names = own | set(QUERY_NAMES)
            for value in HOSTILE if self.thorough else QUICK:
                self.send("GET", parts.path, query_string={name: value for name in names})
            # One at a time too, so a check on one name does not hide another.
            for name in names if self.thorough else own:
                for value in ("\x00", str(2**63), "2026-02-30", "-1", "abc", "9999-12-31"):
                    self.send("GET", parts.path, query_string={name: value})
            self.send("GET", parts.path,  # repeated parameters
                      query_string=[(name, "1") for name in names] + [(n, "x") for n in names])

    def attack_forms(self, forms: list[Form]) -> None:
        for form in forms:
            if form.method != "post" or SKIP_ACTIONS.search(urlsplit(form.action).path):
                continue
            if not self._first_time("form", "POST", form.action):
                continue
            base = _first(form.fields)
            self.send("POST", form.action, data={})
            for value in HOSTILE if self.thorough else QUICK:
                self.send("POST", form.action, data={name: value for name in base})
            for name in base:
                for value in ("\x00", "x" * 10_000, str(2**63), "9" * 5000, "²", "-1", "1e309", "2026-02-30",
                              "9999-12-31", "0001-01-01", "abc")[:None if self.thorough else 5]:
                    self.send("POST", form.action, data={**base, name: value})
            self.send("POST", form.action, data=base)

    def attack_json(self, method: str, url: str, example: dict, headers: dict | None = None) -> None:
        """An API endpoint with broken bodies, and its example with each field (and each field of a first list
        item) broken."""
        headers = {**self.headers, **(headers or {})}
        bodies = [dict(data="not json", content_type="application/json"),
                  dict(data="{", content_type="application/json"),
                  dict(data=json.dumps(example), content_type="text/plain"),
                  dict(data=json.dumps(example).encode("utf-16"), content_type="application/json"),
                  dict(data=b"\xff\xfe", content_type="application/json"),
                  dict(json=[example]), dict(json=None), dict(json="text"), dict(json=2**63), dict(json={}),
                  dict(json={**example, "\x00": 1})]
        for body in bodies:
            self.send(method, url, headers=headers, **body)
        values = [None, "\x00", "x" * 10_000, 2**63, -2**63, 2**31, 1e308, -1, 0, True, [], {}, "2026-02-30",
                  "9999-12-31T23:59:59Z", "0001-01-01", "😀", "9" * 5000, [1, 2], [{}], [None]]
        for name, good in example.items():
            for value in values:
                self.send(method, url, headers=headers, json={**example, name: value})
            if isinstance(good, list) and good and isinstance(good[0], dict):
                for inner in good[0]:
                    for value in values:
                        self.send(method, url, headers=headers,
                                  json={**example, name: [{**good[0], inner: value}]})


def _first(fields: dict[str, list[str]]) -> dict[str, str]:
    return {name: (values[0] if values else "") for name, values in fields.items()}


def _unique(forms: list[Form]) -> list[Form]:
    seen, out = set(), []
    for form in forms:
        key = (form.action, form.method, tuple(sorted(form.fields)))
        if key not in seen:
            seen.add(key)
            out.append(form)
    return out
