"""The creates of one app tree in this process, for an instruction count under callgrind, which
counts the same on a busy machine as on a quiet one (the web process's own instructions; the
kernel's share of a round trip is not counted). Run it twice per tree, with N = 0 and N = 40:
the difference over 40 is the instructions per create.

    DATABASE_URL=sqlite:///COPY.sqlite3 SECRET_KEY=bench LOG_LEVEL=WARNING \\
        valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \\
        .venv/bin/python bench/create_instructions.py APP_DIR N META.json [intake]
    # "Collected : …" in valgrind's output; on PostgreSQL add DB_CONN_MAX_AGE=600

With ``intake`` the requests are the console's front-desk submits instead (FD-2: a phone call
logged that opens a repair), as the reception user of META, urlencoded with a new one-time
token each, as a browser sends the form (the same body as bench/create_parts.py's).

APP_DIR is an app tree (a git worktree of the commit); META.json is what bench/setup_data.py
wrote for the database (its token, community and households). Use a fresh copy of a SQLite
database for each run: each run adds orders.
"""

from __future__ import annotations

import json
import os
import sys

app, n, meta = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3]))  # noqa: SIM115
intake = sys.argv[4:] == ["intake"]
sys.path.insert(0, app)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")

import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
client = Client()
first, last = meta["households"]
if intake:
    from urllib.parse import urlencode

    from create_parts import intake_body  # bench/ is on the path: this file is run from it

    from propdesk.community.models import Household, User

    client.force_login(User.objects.get(pk=meta["reception"]))
    rooms = list(
        Household.objects.filter(
            community_id=meta["community"], pk__range=(first, last)
        ).values_list("code", flat=True)
    )
    url = f"/desk/{meta['community']}/intake/"
    for i in range(20 + n):  # 20 of warm-up in both runs
        body = intake_body(rooms[(i * 7919) % len(rooms)])
        r = client.post(url, urlencode(body), content_type="application/x-www-form-urlencoded")
        assert r.status_code == 302 and r["Location"] == url, r.content[:300]
        client.cookies.pop("messages", None)  # as the redirect's GET would
    sys.exit(0)
auth = {"HTTP_AUTHORIZATION": f"Token {meta['token']}"}
for i in range(20 + n):  # 20 of warm-up in both runs
    body = {
        "community": meta["community"],
        "kind": "repair",
        "description": "厨房水龙头漏水",
        "household": first + i % (last - first),
    }
    r = client.post("/api/work-orders/", body, content_type="application/json", **auth)
    assert r.status_code == 201, r.content
