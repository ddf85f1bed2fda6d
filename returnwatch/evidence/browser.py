"""The browser session: the system Chromium renders the page; every request it makes goes
through `fetch` (guarded, limited, recorded) and comes back to it through request routing.

The context is new for each capture, so no cookie of a staff session (or of an earlier
capture) is ever sent. Chromium is also started with a proxy that does not exist and no
service workers: a request that somehow escaped the routing would fail, not reach a network.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from .fetch import Budget, Exchange, LimitReached, fetch_chain
from .guard import Guard

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=DnsPrefetch,NetworkPrediction",
    "--proxy-server=http://127.0.0.1:9",  # nowhere: only routed requests get an answer
    "--proxy-bypass-list=<-loopback>",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
]
VIEWPORT = {"width": 1280, "height": 900}
T = TypeVar("T")


@dataclass
class Session:
    """What one visit produced: every exchange in order, and the rendered page."""

    exchanges: list[Exchange] = field(default_factory=list)
    page_chain: list[Exchange] = field(default_factory=list)  # the page's redirects and itself
    error: str = ""
    browser_version: str = ""
    html: str = ""
    title: str = ""
    screenshot: bytes = b""
    pdf: bytes = b""

    @property
    def page(self) -> Exchange | None:
        return self.page_chain[-1] if self.page_chain else None


def chromium_available() -> bool:
    return os.access(settings.CAPTURE_CHROMIUM, os.X_OK)


class BrowserThread:
    """One thread that owns Playwright and a running Chromium, and renders captures one after
    another, each in a new context. Playwright's sync API refuses a thread that runs an
    asyncio loop (Django's async views, a test's own browser), so the browser never runs in
    the caller's thread; and keeping it started saves seconds a capture. It closes Chromium
    after IDLE_SECONDS without work and starts it again when a capture comes."""

    IDLE_SECONDS = 300

    def __init__(self) -> None:
        self.jobs: queue.Queue[tuple[Callable[[Any], Any], Future[Any]]] = queue.Queue()
        threading.Thread(target=self._serve, name="capture-browser", daemon=True).start()

    def run(self, job: Callable[[Any], T], timeout: float) -> T:
        """Run `job(browser)` in the browser thread and return what it returns. A browser
        that hangs past `timeout` is abandoned: the next capture starts a new one."""
        done: Future[T] = Future()
        self.jobs.put((job, done))
        try:
            return done.result(timeout=timeout)
        except FutureTimeout:
            _abandon(self)
            raise

    def _serve(self) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = None
            while True:
                try:
                    job, done = self.jobs.get(timeout=self.IDLE_SECONDS)
                except queue.Empty:
                    if browser is not None:
                        browser.close()
                        browser = None
                    continue
                try:
                    if browser is None or not browser.is_connected():
                        browser = p.chromium.launch(
                            executable_path=settings.CAPTURE_CHROMIUM, args=LAUNCH_ARGS
                        )
                    done.set_result(job(browser))
                except BaseException as e:  # handed to the caller
                    done.set_exception(e)


_thread: BrowserThread | None = None
_thread_lock = threading.Lock()


def _abandon(thread: BrowserThread) -> None:
    global _thread
    with _thread_lock:
        if _thread is thread:
            _thread = None


def browser_thread() -> BrowserThread:
    global _thread
    with _thread_lock:
        if _thread is None:
            _thread = BrowserThread()
        return _thread


def visit(url: str, guard: Guard, budget: Budget) -> Session:
    """Fetch the page (following redirects ourselves), then render it in Chromium."""
    session = Session()
    session.page_chain = fetch_chain(url, guard, budget, headers=[("User-Agent", user_agent())])
    session.exchanges.extend(session.page_chain)
    page = session.page
    if page is None or not page.complete or page.error:
        session.error = page.error if page else _("Nothing was fetched.")
        return session
    try:
        # Playwright's own timeouts end a capture at the limit; this is the last resort.
        browser_thread().run(lambda b: _render(b, session, guard, budget), budget.seconds + 60)
    except LimitReached as e:
        session.error = str(e)
    except FutureTimeout:
        session.error = budget.too_slow()
    return session


def user_agent() -> str:
    from . import capture

    return f"Mozilla/5.0 (X11; Linux x86_64) ReturnWatch-capture/{capture.TOOL_VERSION}"


def _render(browser: Any, session: Session, guard: Guard, budget: Budget) -> None:
    """Render the page in a new context of the running browser (no cookies, no cache)."""
    from playwright.sync_api import Error, Route

    page_exchange = session.page
    assert page_exchange is not None
    served_page = False

    def handle(route: Route) -> None:
        nonlocal served_page
        request = route.request
        if not served_page and request.is_navigation_request():
            served_page = True
            return _fulfill(route, page_exchange)
        try:
            budget.remaining()
        except LimitReached:
            return route.abort("timedout")
        headers = [(h["name"], h["value"]) for h in request.headers_array()]
        chain = fetch_chain(
            request.url,
            guard,
            budget,
            method=request.method,
            headers=headers,
            body=request.post_data_buffer or b"",
        )
        session.exchanges.extend(chain)
        last = chain[-1]
        if not last.complete or last.location:
            return route.abort("failed")
        _fulfill(route, last)

    session.browser_version = f"Chromium {browser.version}"
    context = browser.new_context(
        viewport=VIEWPORT,
        user_agent=user_agent(),
        service_workers="block",
        accept_downloads=False,
        ignore_https_errors=True,
    )
    try:
        context.route("**/*", handle)
        tab = context.new_page()
        timeout = budget.remaining() * 1000
        try:
            tab.goto(page_exchange.url, wait_until="load", timeout=timeout)
            _settle(tab, budget)
        except Error as e:
            if "Timeout" in str(e):
                raise LimitReached(budget.too_slow()) from e
            raise
        session.html = tab.content()
        session.title = tab.title()
        session.screenshot = tab.screenshot(full_page=True, type="png", timeout=timeout)
        session.pdf = tab.pdf(print_background=True)
    finally:
        context.close()


def _settle(tab: Any, budget: Budget) -> None:
    """Scroll to the end so lazy images load, then wait briefly for the network to rest."""
    from playwright.sync_api import Error

    tab.evaluate(
        "async () => { for (let y = 0; y < document.body.scrollHeight && y < 20000; y += 800)"
        " { window.scrollTo(0, y); await new Promise(r => setTimeout(r, 50)); }"
        " window.scrollTo(0, 0); }"
    )
    try:
        tab.wait_for_load_state("networkidle", timeout=min(3000, budget.remaining() * 1000))
    except Error:
        pass  # a page that never rests (polling, ads) is captured as it is


def _fulfill(route: Any, ex: Exchange) -> None:
    headers: dict[str, str] = {}
    for k, v in ex.headers:
        if k.lower() == "content-length":
            continue
        headers[k] = f"{headers[k]}\n{v}" if k in headers and k.lower() == "set-cookie" else v
    route.fulfill(status=ex.status or 502, headers=headers, body=ex.body)
