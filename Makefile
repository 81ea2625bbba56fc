# Run `make help` for the list of targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
# .dockerenv is compose's --env-file: docker-compose.yml interpolates from it and hands each container
# only its own variables. TLS=1 adds docker-compose.tls.yml (HTTPS with the pair of `make certs`).
COMPOSE_FILES := -f docker-compose.yml $(if $(TLS),-f docker-compose.tls.yml)
COMPOSE ?= docker compose --env-file .dockerenv $(COMPOSE_FILES)
BANK_CLI := $(COMPOSE) run --rm bank-init node dist/src/cli.js

.PHONY: help deps gen lint typecheck test dev up down init build compile rebuild run logs db-migrate db-upgrade service-token certs docs bench dockerenv

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

deps: ## Install the development dependencies (npm ci) when node_modules is missing
	@[ -x node_modules/.bin/tsx ] || npm ci --no-audit --no-fund

gen: deps ## Regenerate generated/ from specs/ (types, handler interfaces, clients, events)
	@npm run -s gen

lint: deps ## Lint the specs (Redocly, AsyncAPI parser), the compose file (dclint) and the TypeScript (ESLint)
	@npm run -s lint

typecheck: deps ## tsc --noEmit over the whole workspace
	@npm run -s typecheck

test: deps ## Run every test suite (real RabbitMQ and MariaDB on this machine)
	@npm test

dev: deps ## Run all three services and the mail catcher in one process on the embedded defaults
	@npm start

dockerenv: ## Create .dockerenv with random secrets on first use; refuse one that still holds placeholders
	@scripts/compose/dockerenv.sh .dockerenv.example .dockerenv

up: dockerenv ## Build and start the docker compose stack (MariaDB, RabbitMQ, MongoDB, Mailpit, services); needs Docker only
	$(COMPOSE) up --build -d

down: ## Stop the docker compose stack (volumes are kept)
	$(COMPOSE) down

init: dockerenv ## Build, start the databases, migrate and seed (roles, admin) with the one-shot init service
	$(COMPOSE) build
	$(COMPOSE) up -d mariadb rabbitmq mongo mailpit
	$(COMPOSE) run --rm bank-init

build: dockerenv ## Build the service images
	$(COMPOSE) build

compile: deps ## Compile every workspace to JavaScript in its dist/ (npm run build; the images do it themselves)
	@npm run -s build

rebuild: dockerenv ## Drop, rebuild and run the containers
	$(COMPOSE) down
	$(COMPOSE) build --no-cache
	$(COMPOSE) up -d

run: dockerenv ## Run the containers (without building)
	$(COMPOSE) up -d

logs: ## Follow the logs of every container
	$(COMPOSE) logs -f

db-migrate: dockerenv ## Create a new migration file: make db-migrate NAME=add_column
	npm run -s cli -w bank-service -- migrate make $(or $(NAME),$(error set NAME=<migration_name>))

db-upgrade: dockerenv ## Apply the database migrations in the compose stack
	$(BANK_CLI) migrate latest

service-token: dockerenv ## Print a service token for POST /logs, signed with the stack's JWT settings
	@$(BANK_CLI) service-token

certs: ## Make a self-signed certificate and key for local HTTPS in ./certs (git-ignored)
	@mkdir -p certs
	openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
	  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:bank-service,DNS:log-service,DNS:email-service" \
	  -keyout certs/key.pem -out certs/cert.pem
	@echo "TLS_CERT=certs/cert.pem TLS_KEY=certs/key.pem (and LOG_SERVICE_CA=certs/cert.pem for bank → log); compose: make up TLS=1"

docs: deps ## Render the AsyncAPI document to HTML under docs/asyncapi/
	@npm run -s docs

bench: deps ## Run the benchmarks in scripts/bench/ (prints ratios to baselines measured in the same run)
	@npm run -s bench
