"""The production deployment in deploy/ (issue 15): the environment template lists every setting
the code reads and `manage.py check --deploy` is clean with it; no secret or known password is
written anywhere; the units and the Procfile start one beat and the web server through bin/web;
nginx sets the headers the settings trust, never serves uploaded files, takes a resident's photos,
and `nginx -t` accepts the site (where nginx is installed; always in CI)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
TEMPLATE = DEPLOY / "propdesk.env.example"
SECRETS = {
    "SECRET_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "EMAIL_HOST_PASSWORD",
    "SMS_ACCESS_KEY_SECRET",
    "SMS_SECRET_KEY",
    "WECHAT_APP_SECRET",
    "AMI_SECRET",
}
NEVER_IN_PRODUCTION = {"DEBUG", "PROPDESK_CLOCK", "PROPDESK_TESTING"}


def template() -> dict[str, str]:
    pairs = {}
    for line in TEMPLATE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _sep, value = line.partition("=")
            pairs[name] = value
    return pairs


def read_by_the_code() -> set[str]:
    """Every environment variable the code reads (settings, backup, AMI listener) and bin/web."""
    names: set[str] = set()
    for path in (ROOT / "propdesk").rglob("*.py"):
        text = path.read_text()
        names |= set(
            re.findall(r'(?:environ\.get|env\.get|env_bool)\(\s*"([A-Z][A-Z0-9_]+)"', text)
        )
        names |= set(re.findall(r'(?:environ|env)\["([A-Z][A-Z0-9_]+)"\](?!\s*=[^=])', text))
    names |= set(re.findall(r"\$\{(WEB_[A-Z_]+)", (ROOT / "bin" / "web").read_text()))
    names.discard("DJANGO_SETTINGS_MODULE")
    return names


def test_the_template_lists_every_setting_and_the_readme_explains_each():
    listed = template()
    missing = read_by_the_code() - set(listed) - NEVER_IN_PRODUCTION
    assert not missing, f"not in deploy/propdesk.env.example: {sorted(missing)}"
    assert not NEVER_IN_PRODUCTION & set(listed)
    readme = (ROOT / "README.md").read_text()
    production = readme[readme.index("## Production") :]
    undocumented = [n for n in sorted(read_by_the_code()) if f"`{n}`" not in production]
    assert not undocumented, f"not in the README's Production table: {undocumented}"


def test_no_secret_or_known_password_is_written_down():
    from propdesk.demo.seed import DEMO_PASSWORD

    listed = template()
    assert {name: listed[name] for name in SECRETS} == dict.fromkeys(SECRETS, "")
    for path in [*DEPLOY.rglob("*"), ROOT / "bin" / "web", ROOT / "bin" / "release"]:
        if path.is_file():
            assert DEMO_PASSWORD not in path.read_text(), path
    assert re.search(r"^SECRET_KEY=$", (ROOT / ".env.example").read_text(), re.M)


def test_check_deploy_is_clean_with_the_template():
    env = {**template(), "SECRET_KEY": secrets.token_urlsafe(50)}
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "propdesk.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues (0 silenced)." in run.stdout


def test_one_beat_and_the_web_server_in_one_place():
    units = {p.name: p.read_text() for p in (DEPLOY / "systemd").glob("*.service")}
    assert set(units) == {
        "propdesk-web.service",
        "propdesk-worker.service",
        "propdesk-beat.service",
        "propdesk-release.service",
    }
    for name, text in units.items():
        assert "EnvironmentFile=/etc/propdesk/propdesk.env" in text, name
        assert "User=propdesk" in text, name
    starts = {n: re.findall(r"^ExecStart=(.*)$", t, re.M) for n, t in units.items()}
    assert starts["propdesk-web.service"] == ["/opt/propdesk/bin/web"]
    assert starts["propdesk-release.service"] == ["/opt/propdesk/bin/release"]
    assert [s for ss in starts.values() for s in ss if " beat " in s] == starts[
        "propdesk-beat.service"
    ]
    procfile = [
        line
        for line in (DEPLOY / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    kinds = dict(line.split(": ", 1) for line in procfile)
    assert kinds["web"] == "bin/web" and kinds["release"] == "bin/release"
    assert sum(" beat " in cmd for cmd in kinds.values()) == 1
    assert "gunicorn" not in (DEPLOY / "Procfile").read_text()  # bin/web says which server


def test_nginx_sets_what_the_settings_trust_and_never_serves_uploads():
    site = (DEPLOY / "nginx" / "propdesk.conf").read_text()
    listed = template()
    # CLIENT_IP_HEADER=HTTP_X_REAL_IP ⇐ X-Real-IP; SECURE_PROXY_SSL_HEADER ⇐ X-Forwarded-Proto.
    assert listed["CLIENT_IP_HEADER"] == "HTTP_X_REAL_IP"
    assert "proxy_set_header X-Real-IP $remote_addr;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "proxy_set_header Host $host;" in site
    code = "\n".join(line.split("#", 1)[0] for line in site.splitlines())
    assert not re.search(r"^\s*(alias|root)\s", code, re.M)
    assert "media" not in code
    size = re.search(r"client_max_body_size (\d+)m;", code)
    assert size is not None
    photos = int(listed["PORTAL_MAX_PHOTOS"]) * int(listed["ATTACHMENT_MAX_BYTES"])
    assert int(size.group(1)) * 1024 * 1024 > photos


def test_nginx_accepts_the_site(tmp_path):
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
    openssl = shutil.which("openssl")
    if nginx is None or openssl is None:
        if os.environ.get("CI"):
            pytest.fail("nginx and openssl are installed by .ci/run")
        pytest.skip("nginx is not installed here (apt-get install nginx-light)")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=desk.example.com", "-keyout", str(tmp_path / "privkey.pem"),
         "-out", str(tmp_path / "fullchain.pem")],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    site = (
        (DEPLOY / "nginx" / "propdesk.conf").read_text().replace("/etc/ssl/propdesk", str(tmp_path))
    )
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n {temp}\n include {tmp_path}/site.conf;\n}}\n"
    )
    run = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "test is successful" in run.stderr
