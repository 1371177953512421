# monitor as a long-lived service (see the README's "Docker" and compose.yaml).
#   docker build -t monitor .
#   docker run --env-file monitor.env -v "$PWD/config:/app/config:ro" \
#       -v monitor-state:/app/state -p 8080:8080 monitor
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin monitor

# Dependencies first, from pyproject.toml and an empty package: a change to the code
# reuses this layer instead of reinstalling everything. The install is the README's.
COPY pyproject.toml README.md ./
RUN mkdir monitor && touch monitor/__init__.py \
    && python3 -m venv .venv && .venv/bin/pip install -e .
COPY monitor ./monitor
# A smoke test that costs a second (the demo runs in a minute; run it with `docker run`).
RUN .venv/bin/monitor --version \
    && mkdir -p /app/state /app/config && chown monitor:monitor /app/state

ENV PATH="/app/.venv/bin:$PATH" \
    MONITOR_CONFIG=/app/config/monitor.yaml \
    MONITOR_HTTP=0.0.0.0:8080 \
    MONITOR_WEB=0

# MONITOR_WEB=0 serves only /healthz and /metrics on 8080. For the dashboard, set a token in
# the config (web: {token: "${MONITOR_WEB_TOKEN}"}) and run with -e MONITOR_WEB=1
# -e MONITOR_WEB_TOKEN=...: without a token the dashboard refuses a non-loopback address.
USER monitor
# Mount the watch list at /app/config (read-only is fine); state/ keeps the database.
# A named volume takes this directory's owner (uid 10001); a bind-mounted directory must
# be writable by uid 10001 (chown 10001 DIR), or run with --user "$(id -u):$(id -g)".
VOLUME ["/app/state"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["monitor", "health"]
CMD ["monitor", "run"]
