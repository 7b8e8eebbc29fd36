# Klimatvägar: the Streamlit dashboard as a container image.
#
#   docker build -t klimatvagar .
#   docker run --rm -p 8501:8501 klimatvagar          # http://localhost:8501
#   docker run --rm -p 8501:8501 -e KLIMAT_ALLOWED_HOSTS=klimat.example.se klimatvagar
#
# asgi.py answers only loopback and the host names in KLIMAT_ALLOWED_HOSTS (DNS-rebinding guard;
# /_stcore/health answers any host), so set it to the name the site is reached by.
#
# One Streamlit process per container (scale with replicas behind a sticky proxy, see
# deploy/compose.yaml and deploy/README.md). Settings come from .streamlit/config.toml;
# deployment-specific ones are STREAMLIT_* environment variables.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# DejaVu Sans: the Unicode font the PDF brief (fpdf2) and the chart exports need.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Streamlit refuses to run scripts from the filesystem root, so never WORKDIR /.
WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code stays owned by root (read-only for the app); only var/ (the embedded SQLite
# workshop database when KLIMAT_DB_URL is unset) is writable by the app user.
COPY . .
RUN python -m compileall -q model ui serving views app.py asgi.py \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/klimat \
       --shell /usr/sbin/nologin klimat \
    && mkdir -p /app/var \
    && chown klimat:klimat /app/var

USER klimat

# Production settings that belong to the image. The rest of the production config
# (XSRF, CORS, error details, upload limit, toolbar, agent API off) is in
# .streamlit/config.toml; hosts, cookie secret and database URL are set per deployment.
#  * No file watcher: the code never changes inside a running container.
#  * No forced full garbage collection after every script run: with 50 simulated users
#    it halved rerun throughput (5.2 instead of 11.6 reruns/s; bench/load.py, deploy/README.md).
#    Python's automatic garbage collection still runs.
ENV STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_RUNNER_POST_SCRIPT_GC=false \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none

EXPOSE 8501

# /_stcore/health answers "ok" once the server is up (it does not run the app script).
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4); sys.exit(0 if r.read().strip() == b'ok' else 1)"]

# asgi.py serves app.py (the entry script) with the right <html lang> and without a spurious
# "Page not found" on deep links such as workshop QR codes right after a start (see asgi.py).
CMD ["streamlit", "run", "asgi.py", "--server.port=8501", "--server.address=0.0.0.0"]
