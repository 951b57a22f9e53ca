# FiberStack operations. `make help` lists the targets; docs/operations.md is the runbook.
# Production topology: deploy/compose/docker-compose.prod.yml with settings from .env
# (copy .env.example) and secrets from deploy/compose/secrets/ (`make secrets`).

COMPOSE_FILE_PROD := deploy/compose/docker-compose.prod.yml
COMPOSE_FILE_DEV  := deploy/compose/docker-compose.dev.yml
ENV_FILE          ?= .env
PROJECT           ?= fiberstack
COMPOSE           := docker compose --project-name $(PROJECT) --env-file $(ENV_FILE) -f $(COMPOSE_FILE_PROD)
COMPOSE_DEV       := docker compose --project-name $(PROJECT)-dev -f $(COMPOSE_FILE_DEV)
SECRETS_DIR       := deploy/compose/secrets
SECRETS           := db_password db_reader_password api_key_secret admin_token grafana_admin_password
# Where `backup`/`restore` run: in the compose project (default) or directly on this host, e.g.
#   make backup RUN="node apps/cli/bin/fiberstack.js"   (with DATABASE_URL or DB_* exported)
RUN               ?= $(COMPOSE) --profile ops run --rm backup
SERVICE           ?=

.PHONY: help up down logs ps validate backup restore secrets dev dev-down build

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

up: $(ENV_FILE) ## Build and start the production topology (migrations first, start order gated on health)
	$(COMPOSE) up -d --build --wait

down: ## Stop the production topology (named volumes — the data — are kept)
	$(COMPOSE) down

logs: ## Follow logs (SERVICE=api-1 for one service)
	$(COMPOSE) logs -f --tail=200 $(SERVICE)

ps: ## Containers, health and ports
	$(COMPOSE) ps

build: ## Build the server and web images
	$(COMPOSE) build

validate: ## Check compose files, Prometheus config/rules/tests, Grafana JSON, nginx -t, Kubernetes manifests
	node --import tsx deploy/validate/main.ts

backup: ## pg_dump into the backups volume (BACKUP_KEEP newest kept; BACKUP_UPLOAD_CMD hook)
	$(RUN) backup

restore: ## Restore a dump: make restore FILE=fiberstack-….dump (replaces the database; see the runbook)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=<name of a dump in the backups volume>"; exit 2; }
	$(RUN) restore $(if $(findstring /,$(FILE)),$(FILE),/backups/$(FILE)) --yes

secrets: ## Generate random secrets into deploy/compose/secrets (existing ones are kept)
	@mkdir -p $(SECRETS_DIR) && chmod 700 $(SECRETS_DIR)
	@for s in $(SECRETS); do \
	  f=$(SECRETS_DIR)/$$s; \
	  if [ -s $$f ]; then echo "kept      $$f"; \
	  else od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > $$f && chmod 644 $$f && echo "generated $$f"; fi; \
	done

$(ENV_FILE):
	@echo "$(ENV_FILE) is missing: cp .env.example $(ENV_FILE) and edit it (then make secrets)"; exit 2

dev: ## Development topology with hot reload (ports 3000, 8000, 5432, 6379)
	$(COMPOSE_DEV) up

dev-down: ## Stop the development topology
	$(COMPOSE_DEV) down
