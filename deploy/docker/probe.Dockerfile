# syntax=docker/dockerfile:1.7
# FiberStack edge probe image. Build from the repository root:
#   docker build -f deploy/docker/probe.Dockerfile -t fiberstack/probe .
# Run (ICMP needs CAP_NET_RAW; nothing else):
#   docker run -d --name probe --cap-drop ALL --cap-add NET_RAW --read-only \
#     -v probe-buffer:/var/lib/fiberstack-probe -v ./probe.yaml:/etc/fiberstack/probe.yaml:ro \
#     -e FIBERSTACK_PROBE_API_KEY_FILE=/run/secrets/probe_key fiberstack/probe
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages ./packages
COPY apps ./apps
# Dependencies of the probe workspace only (plus esbuild), then the self-contained ESM bundle
# in /out (the entry and the chunks it loads on demand): the runtime image needs neither
# node_modules nor tsx (≈ 20 MB less RSS).
RUN npm ci --workspace @fiberstack/probe --include-workspace-root=false --ignore-scripts \
 && node apps/probe/scripts/bundle.mjs /out/fiberstack-probe.mjs

FROM ${NODE_IMAGE} AS runtime
# fping: the ICMP tool (Debian installs it with cap_net_raw file capability); tini: PID 1
# that forwards SIGTERM and reaps fping children.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fping tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/fiberstack
# MALLOC_ARENA_MAX and the node flags below are for the probe's memory, as in
# deploy/systemd/fiberstack-probe.service (which says what each saves).
ENV NODE_ENV=production \
    STATE_DIRECTORY=/var/lib/fiberstack-probe \
    FIBERSTACK_PROBE_CONFIG=/etc/fiberstack/probe.yaml \
    MALLOC_ARENA_MAX=2
COPY --from=build /out/ /opt/fiberstack/
RUN mkdir -p /var/lib/fiberstack-probe /etc/fiberstack \
 && chown node:node /var/lib/fiberstack-probe \
 && chmod 0700 /var/lib/fiberstack-probe
USER node
VOLUME ["/var/lib/fiberstack-probe"]
# Healthy while the agent's housekeeping (every 15 s) keeps touching the heartbeat file.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const s=require('fs').statSync('/var/lib/fiberstack-probe/heartbeat');process.exit(Date.now()-s.mtimeMs<90000?0:1)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--lite-mode", "--no-icu-timezone-data", "--expose-gc", "/opt/fiberstack/fiberstack-probe.mjs"]
CMD []
