# syntax=docker/dockerfile:1.7
# FiberStack web image: the dashboard (Vite build of apps/dashboard → dist) served by nginx,
# which is also the load balancer in front of the API replicas (deploy/nginx/). Build from the
# repository root:
#   docker build -f deploy/docker/dashboard.Dockerfile -t fiberstack/web:$(git describe --always) .
ARG NODE_IMAGE=node:20.20.2-bookworm-slim
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.27.3-bookworm

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
RUN npm ci --workspace @fiberstack/dashboard --include-workspace-root --ignore-scripts \
 && npm run build --workspace @fiberstack/dashboard \
 && test -f apps/dashboard/dist/index.html

FROM ${NGINX_IMAGE} AS runtime
# The image's own entrypoint rewrites files under /etc/nginx at start; ours is complete and the
# root filesystem is read-only, so nginx runs directly (it reaps its own workers: no tini needed).
COPY deploy/nginx/nginx.conf deploy/nginx/upstreams.conf deploy/nginx/fiberstack.conf \
     deploy/nginx/locations.conf deploy/nginx/security-headers.conf /etc/nginx/
COPY --from=build /src/apps/dashboard/dist /usr/share/nginx/html
USER 101
EXPOSE 8080 8443
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["curl", "-fsS", "http://127.0.0.1:8080/nginx-health"]
# SIGQUIT: graceful shutdown (finish in-flight requests, then exit).
STOPSIGNAL SIGQUIT
ENTRYPOINT ["nginx", "-g", "daemon off;"]
