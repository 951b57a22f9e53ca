# syntax=docker/dockerfile:1.7
# FiberStack server image: one image for every server role, chosen by the command:
#   api | etl [--no-scheduler] | migrate | backup | restore <file> --yes | keys …
# Build from the repository root:
#   docker build -f deploy/docker/server.Dockerfile -t fiberstack/server:$(git describe --always) .
# Run (read-only root filesystem; /tmp is the only writable path):
#   docker run --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
#     -e DATABASE_URL=… -e REDIS_URL=… -e API_KEY_SECRET_FILE=/run/secrets/api_key_secret … fiberstack/server api
# The sources are TypeScript run through tsx (docs/adr/0001): there is no compile step, the
# runtime stage carries the sources and production dependencies only.
# Same pinned base as deploy/docker/probe.Dockerfile; bump both together.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages ./packages
COPY apps ./apps
# Production dependencies of the cli workspace (which composes api and etl) and nothing else:
# no dev tools, no dashboard or probe dependencies, no install scripts.
RUN npm ci --omit=dev --workspace @fiberstack/cli --include-workspace-root=false --ignore-scripts \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# tini: PID 1 that forwards SIGTERM (graceful drain) and reaps children (pg_dump, psql).
# postgresql-client-15: pg_dump/pg_restore/psql for `backup` and `restore` (≥ the server's major).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini postgresql-client-15 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/fiberstack
ENV NODE_ENV=production \
    ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    ETL_METRICS_PORT=9464 \
    TSX_DISABLE_CACHE=1 \
    BACKUP_DIR=/backups
COPY --from=deps /src/package.json ./package.json
COPY --from=deps /src/node_modules ./node_modules
COPY --from=deps /src/packages ./packages
COPY --from=deps /src/apps/cli ./apps/cli
COPY --from=deps /src/apps/api ./apps/api
COPY --from=deps /src/apps/etl ./apps/etl
COPY deploy/docker/docker-entrypoint.sh deploy/docker/healthcheck.mjs ./deploy/docker/
RUN chmod 0755 deploy/docker/docker-entrypoint.sh \
 && mkdir -p /backups && chown node:node /backups
USER node
EXPOSE 8000 9464
# Ready = /readyz answers 200: the api on PORT; the etl role sets
# FIBERSTACK_HEALTH_URL=http://127.0.0.1:9464/readyz. One-shot roles (migrate, backup) exit first.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "/opt/fiberstack/deploy/docker/healthcheck.mjs"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/fiberstack/deploy/docker/docker-entrypoint.sh"]
CMD ["api"]
