"""Warm page loads of the staff console in a real browser (issue 15: ≤ 150 ms from navigation
start to the load event).

How to run it (Chromium from Debian, as the browser tests use: `apt-get install chromium`):

    DATABASE_URL=sqlite:////tmp/x/bench-100000.sqlite3 \
        .venv/bin/python bench/pageload.py [--rounds 20] [--workers 2] [--app DIR]

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/propdesk_bench_1000000 \
        .venv/bin/python bench/pageload.py --orders 1000000

1. loads the bench database with bench/setup_data.py (``--orders``, default 100,000; a database
   already holding them is left as it is) and collects the static files, as bin/run does;
2. starts gunicorn (sync workers, DEBUG off, 127.0.0.1, a free port) on that database, from this
   work tree or from ``--app DIR`` (another checkout, to compare two versions on the same data);
3. signs the bench receptionist of the first community in (a session made by Django's test
   client, its cookie handed to the browser: no login form, no throttling in the way);
4. with Playwright's Chromium (headless, ``--chromium`` or $CHROMIUM, default
   /usr/bin/chromium), navigates board → queue → order page (an open repair) ``--rounds``
   times after one warm-up round (the browser's cache and the server's connections are warm),
   and reads the Navigation Timing entry of each load: navigation start → load event, and of it
   the server's answer (navigation start → responseStart, the first byte).

Prints, per page, the median and p90 of the load and of the first byte, the page's size, and the
load average. Numbers on a shared machine are noisy: compare two versions with ``--app``,
interleaved, on the same data.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import live as livebench  # noqa: E402  (bench/live.py: free_port, get)

SECRET = livebench.SECRET  # the bench servers' key


def env_for(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def load(url: str, orders: int, app: Path) -> None:
    cmd = [sys.executable, str(ROOT / "bench" / "setup_data.py"), "--orders", str(orders)]
    env = env_for(url)
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    manage = [sys.executable, str(app / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=app)


def start_gunicorn(url: str, app: Path, workers: int, log: Path) -> tuple[Any, int]:
    port = livebench.free_port()
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "propdesk.wsgi:application",
            "--chdir",
            str(app),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--graceful-timeout",
            "5",
            "--error-logfile",
            str(log),
        ],
        env=env_for(url),
        cwd=app,
    )
    for _ in range(150):
        try:
            status, _body = livebench.get(port, "/health/", "")
            if status in (200, 503):  # 503: no worker ticks during a bench; the web side is up
                return proc, port
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    sys.exit(f"gunicorn did not start: see {log}")


def session_and_pages(url: str) -> tuple[str, str, list[tuple[str, str]]]:
    """The session cookie of the bench receptionist, and the pages to visit."""
    os.environ.update(env_for(url))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from propdesk.community.models import Community, Membership
    from propdesk.desk.models import WorkOrder

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    community = Community.objects.order_by("id").first()
    assert community is not None, "no bench data"
    membership = (
        Membership.objects.filter(community=community, role="receptionist")
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    assert membership is not None, "no receptionist in the bench data"
    client = Client()
    client.force_login(membership.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    order = (
        WorkOrder.objects.filter(community=community, kind="repair", state="dispatched")
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    cid = community.pk
    pages = [
        ("board", f"/desk/{cid}/board/"),
        ("queue", f"/desk/{cid}/queue/"),
        ("order page", f"/desk/orders/{order}/"),
    ]
    return settings.SESSION_COOKIE_NAME, cookie, pages


TIMING = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  return {load: n.loadEventEnd - n.startTime, ttfb: n.responseStart - n.startTime,
          dcl: n.domContentLoadedEventEnd - n.startTime, size: n.decodedBodySize};
}"""


def p90(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(0.9 * (len(s) - 1)))]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--orders", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--app", type=Path, default=ROOT, help="the checkout gunicorn serves")
    p.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = p.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("DATABASE_URL: the bench database (see the top of this file)")
    if not (Path(args.chromium).exists() or shutil.which(args.chromium)):
        sys.exit(f"no Chromium at {args.chromium}: apt-get install chromium")
    app = args.app.resolve()
    load(url, args.orders, app)
    name, cookie, pages = session_and_pages(url)
    log = ROOT / "bench" / "out" / "logs" / "gunicorn-pageload.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server, port = start_gunicorn(url, app, args.workers, log)
    results: dict[str, dict[str, list[float]]] = {
        label: {"load": [], "ttfb": [], "dcl": [], "size": []} for label, _ in pages
    }
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=args.chromium,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
            base = f"http://127.0.0.1:{port}"
            context.add_cookies([{"name": name, "value": cookie, "url": base}])
            page = context.new_page()
            for round_ in range(args.rounds + 1):
                for label, path in pages:
                    response = page.goto(base + path, wait_until="load")
                    assert response is not None and response.status == 200, (label, response)
                    assert "/login/" not in page.url, "not signed in"
                    t = page.evaluate(TIMING)
                    if round_:  # the first round warms the cache and the connections
                        for key in results[label]:
                            results[label][key].append(float(t[key]))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"pageload: {url.split('/')[-1]}, {args.rounds} warm rounds, app {app}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(
        f"{'page':12} {'load median':>12} {'p90':>7} {'first byte':>11} {'p90':>7}"
        f" {'DOM ready':>10} {'bytes':>8}"
    )
    for label, r in results.items():
        print(
            f"{label:12} {statistics.median(r['load']):10.1f}ms {p90(r['load']):7.1f}"
            f" {statistics.median(r['ttfb']):9.1f}ms {p90(r['ttfb']):7.1f}"
            f" {statistics.median(r['dcl']):8.1f}ms {int(statistics.median(r['size'])):8d}"
        )


if __name__ == "__main__":
    main()
