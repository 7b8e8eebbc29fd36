"""Static checks of the deployment files (no Docker needed): Dockerfile, .dockerignore,
deploy/compose.yaml, deploy/nginx.conf and deploy/README.md.

compose.yaml is read with a small reader for the YAML subset it uses (block mappings and
lists, flow lists, quoted scalars, anchors, aliases and ``<<`` merge keys), so the test
needs no YAML library; when PyYAML happens to be installed the two readings must agree.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit import config as st_config

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "deploy" / "compose.yaml"
NGINX = ROOT / "deploy" / "nginx.conf"
DEPLOY_README = ROOT / "deploy" / "README.md"
HEALTH = "/_stcore/health"


# --------------------------------------------------------------------------- a tiny YAML reader


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def _scalar(text: str, anchors: dict[str, Any]) -> Any:
    text = text.strip()
    if text.startswith("*"):
        return anchors[text[1:]]
    if text.startswith("["):
        return json.loads(text)
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    return {"true": True, "false": False, "null": None, "~": None}.get(text, text)


def read_yaml_subset(text: str) -> Any:
    """Parse the YAML subset used by deploy/compose.yaml."""
    lines = [(len(raw) - len(raw.lstrip(" ")), raw.strip())
             for raw in (_strip_comment(r) for r in text.splitlines()) if raw.strip()]
    anchors: dict[str, Any] = {}
    pos = 0

    def block(indent: int) -> Any:
        nonlocal pos
        if lines[pos][1].startswith("- "):
            items = []
            while pos < len(lines) and lines[pos][0] == indent and lines[pos][1].startswith("- "):
                items.append(_scalar(lines[pos][1][2:], anchors))
                pos += 1
            return items
        mapping: dict[str, Any] = {}
        while pos < len(lines) and lines[pos][0] == indent:
            key, sep, rest = lines[pos][1].partition(":")
            assert sep, f"not a mapping line: {lines[pos][1]!r}"
            key, rest = key.strip().strip('"'), rest.strip()
            pos += 1
            anchor = None
            if rest.startswith("&"):
                anchor, _, rest = rest[1:].partition(" ")
                rest = rest.strip()
            if rest:
                value = _scalar(rest, anchors)
            elif pos < len(lines) and lines[pos][0] > indent:
                value = block(lines[pos][0])
            else:
                value = None
            if anchor:
                anchors[anchor] = value
            if key == "<<":
                mapping = {**value, **mapping}
            else:
                mapping[key] = value
        return mapping

    result = block(lines[0][0])
    assert pos == len(lines), f"unparsed line: {lines[pos][1]!r}"
    return result


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = read_yaml_subset(COMPOSE.read_text(encoding="utf-8"))
    try:
        import yaml  # optional cross-check, not a project dependency
    except ImportError:
        return data
    assert yaml.safe_load(COMPOSE.read_text(encoding="utf-8")) == data
    return data


@pytest.fixture(scope="module")
def app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items()
            if "KLIMAT_DB_URL" in (svc.get("environment") or {})}


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, args = line.partition(" ")
            out.append((op.upper(), args.strip()))
    return out


def _nginx() -> str:
    return "\n".join(_strip_comment(line) for line in NGINX.read_text(encoding="utf-8").splitlines())


# --------------------------------------------------------------------------- Dockerfile


def test_dockerfile_base_workdir_and_dependencies() -> None:
    ins = _dockerfile_instructions()
    assert ins[0] == ("FROM", "python:3.11-slim")
    workdirs = [a for op, a in ins if op == "WORKDIR"]
    assert workdirs and workdirs[-1] == "/app"  # Streamlit refuses to run scripts from /
    runs = " ".join(a for op, a in ins if op == "RUN")
    assert "pip install -r requirements.txt" in runs
    assert "fonts-dejavu-core" in runs  # the PDF brief's font


def test_dockerfile_runs_as_non_root_user() -> None:
    ins = _dockerfile_instructions()
    users = [(i, a) for i, (op, a) in enumerate(ins) if op == "USER"]
    assert users, "no USER instruction"
    idx, user = users[-1]
    assert user.split(":")[0] not in ("root", "0")
    cmd_idx = max(i for i, (op, _) in enumerate(ins) if op == "CMD")
    assert idx < cmd_idx


def test_dockerfile_port_healthcheck_and_command() -> None:
    ins = dict(_dockerfile_instructions())  # last one wins, as in Docker
    assert ins["EXPOSE"].split() == ["8501"]
    assert "http://localhost:8501" + HEALTH in ins["HEALTHCHECK"]
    cmd = json.loads(ins["CMD"])  # exec form
    # app.py is the entry script; asgi.py serves it with the right <html lang>.
    assert cmd[:2] == ["streamlit", "run"] and cmd[2] in ("app.py", "asgi.py"), cmd
    assert (ROOT / cmd[2]).is_file()
    assert "--server.address=0.0.0.0" in cmd
    assert "--server.port=8501" in cmd


def test_dockerignore_keeps_secrets_and_state_out() -> None:
    entries = {line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    for required in (".git", ".streamlit/secrets.toml", "var", "test-artifacts"):
        assert required in entries, required


# --------------------------------------------------------------------------- compose


def test_image_keeps_the_local_favicon() -> None:
    # app.py's page icon is static/favicon.png (no icon font from another host); the image needs it.
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert (ROOT / "static" / "favicon.png").stat().st_size < 10_000
    assert not any(p.strip("/") in ("static", "static/favicon.png", "*.png", "**/*.png") for p in ignored)


def test_compose_has_several_replicas_a_proxy_and_a_database(compose: dict[str, Any],
                                                              app_services: dict[str, Any]) -> None:
    assert 2 <= len(app_services) <= 3, list(app_services)
    services = compose["services"]
    proxy = [s for s in services.values() if str(s.get("image", "")).startswith("nginx")]
    db = [s for s in services.values() if str(s.get("image", "")).startswith("postgres")]
    assert len(proxy) == 1 and len(db) == 1
    assert any("nginx.conf" in v for v in proxy[0]["volumes"])
    assert proxy[0].get("ports"), "the proxy publishes the site"
    for name, svc in app_services.items():
        assert not svc.get("ports"), f"{name} must only be reachable through the proxy"
        assert svc["build"]["dockerfile"] == "Dockerfile"
    # The database keeps its data in a named volume.
    mounts = [v.split(":") for v in db[0]["volumes"]]
    assert any(m[1] == "/var/lib/postgresql/data" and m[0] in compose["volumes"] for m in mounts)
    assert not db[0].get("ports"), "the database is not published"


def test_replicas_share_one_database_and_one_cookie_secret(app_services: dict[str, Any]) -> None:
    envs = [svc["environment"] for svc in app_services.values()]
    urls = {e["KLIMAT_DB_URL"] for e in envs}
    secrets = {e.get("STREAMLIT_SERVER_COOKIE_SECRET") for e in envs}
    assert len(urls) == 1 and len(secrets) == 1, (urls, secrets)
    url = urls.pop()
    assert re.fullmatch(r"postgresql\+psycopg://klimat:.+@db:5432/klimat", url), url
    assert secrets.pop(), "a cookie secret must be set"


def test_production_settings_and_valid_option_names(app_services: dict[str, Any]) -> None:
    env = next(iter(app_services.values()))["environment"]
    assert env["STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION"] == "true"
    assert env["STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"] == "none"
    assert env["STREAMLIT_SERVER_ALLOWED_HOSTS"]
    assert env["KLIMAT_ALLOWED_HOSTS"] == env["STREAMLIT_SERVER_ALLOWED_HOSTS"], "serving/security.py's Host check"
    assert 0 < int(env["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"]) <= 10
    # Every STREAMLIT_* variable (compose and Dockerfile) names a real 1.67 option.
    known = {opt.env_var for opt in st_config.get_config_options().values()}
    docker_env = " ".join(a for op, a in _dockerfile_instructions() if op == "ENV")
    names = set(env) | set(re.findall(r"\b(STREAMLIT_[A-Z_]+)=", docker_env))
    unknown = sorted(n for n in names if n.startswith("STREAMLIT_") and n not in known)
    assert not unknown, unknown


def test_compose_health_checks(compose: dict[str, Any], app_services: dict[str, Any]) -> None:
    for name, svc in app_services.items():
        assert any(HEALTH in part for part in svc["healthcheck"]["test"]), name
    db = compose["services"]["db"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


# --------------------------------------------------------------------------- nginx


def test_nginx_upstream_is_sticky_and_lists_every_replica(app_services: dict[str, Any]) -> None:
    conf = _nginx()
    upstream = re.search(r"upstream\s+(\w+)\s*\{(.*?)\}", conf, re.S)
    assert upstream, "no upstream block"
    name, body = upstream.group(1), upstream.group(2)
    assert re.search(r"^\s*(ip_hash|hash\s+\$\S+\s+consistent)\s*;", body, re.M), "no sticky sessions"
    servers = set(re.findall(r"^\s*server\s+([\w.-]+):8501\b", body, re.M))
    assert servers == set(app_services), (servers, set(app_services))
    assert re.search(rf"proxy_pass\s+http://{name}\s*;", conf)
    if "hash $" in body:  # a cookie-based hash must actually set its cookie
        var = re.search(r"hash\s+\$(\S+)\s+consistent", body).group(1)
        assert re.search(rf"map\s+\$cookie_\w+\s+\${var}\b", conf)
        assert re.search(r"add_header\s+Set-Cookie\s+\$\w+", conf)


def test_nginx_passes_websocket_upgrades() -> None:
    conf = _nginx()
    assert re.search(r"proxy_http_version\s+1\.1\s*;", conf)
    assert re.search(r"proxy_set_header\s+Upgrade\s+\$http_upgrade\s*;", conf)
    conn = re.search(r"proxy_set_header\s+Connection\s+(\S+)\s*;", conf)
    assert conn, "no Connection header"
    value = conn.group(1).strip('"')
    if value.startswith("$"):
        assert re.search(rf"map\s+\$http_upgrade\s+\{value}\s*\{{[^}}]*default\s+upgrade\s*;", conf)
    else:
        assert value.lower() == "upgrade"
    assert re.search(r"proxy_set_header\s+Host\s+\$(http_host|host)\s*;", conf)
    timeout = re.search(r"proxy_read_timeout\s+(\d+)([smh]?)\s*;", conf)
    assert timeout and int(timeout.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[timeout.group(2)] >= 300


def test_nginx_upload_limit_and_internal_endpoints() -> None:
    conf = _nginx()
    from serving.security import MAX_UPLOAD_BYTES
    size = re.search(r"client_max_body_size\s+(\d+)m\s*;", conf)
    # Above the app's own cap, so the app (not nginx) answers an oversized scenario file.
    assert size and int(size.group(1)) * 1024 * 1024 > MAX_UPLOAD_BYTES
    assert re.search(r"location\s+=\s+/_stcore/metrics\s*\{\s*(return\s+40\d|deny\s+all)", conf)


def test_nginx_adds_the_security_headers_and_refuses_other_hosts() -> None:
    conf = _nginx()
    for header in ("X-Frame-Options SAMEORIGIN", "Content-Security-Policy \"frame-ancestors 'self'\"",
                   "X-Content-Type-Options nosniff", "Referrer-Policy strict-origin-when-cross-origin"):
        assert re.search(rf"add_header\s+{re.escape(header)}\s+always\s*;", conf), header
        assert re.search(rf"proxy_hide_header\s+{header.split()[0]}\s*;", conf), "sent twice"
    default = re.search(r"listen\s+80\s+default_server;(.*?)\n\}", conf, re.S)
    assert default and "return 444" in default.group(1), "other host names must not reach the app"
    assert re.search(r"server_name\s+(?!_)[\w.-]+", conf)


def test_deploy_readme_says_what_the_app_and_the_proxy_do() -> None:
    text = DEPLOY_README.read_text(encoding="utf-8")
    for needle in ("KLIMAT_ALLOWED_HOSTS", "frame-ancestors 'self'", "X-Frame-Options", "KLIMAT_EXPOSE_METRICS",
                   "Strict-Transport-Security", "128 KiB", "favicon"):
        assert text.count(needle) >= 2, needle  # Swedish and English


# --------------------------------------------------------------------------- documentation


def test_deploy_readme_covers_operations_in_both_languages() -> None:
    text = DEPLOY_README.read_text(encoding="utf-8")
    assert re.search(r"^#+\s*Drift\b", text, re.M) and re.search(r"^#+\s*Operations\b", text, re.M)
    for needle in (HEALTH, "KLIMAT_DB_URL", "STREAMLIT_SERVER_COOKIE_SECRET", "pg_dump", "sticky"):
        assert needle in text, needle
