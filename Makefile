# Run `make help` for the list of targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

.PHONY: help gen lint typecheck test

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

gen: ## Regenerate generated/ from specs/ (types, handler interfaces, clients, events)
	@npm run -s gen

lint: ## Lint the specs (Redocly, AsyncAPI parser) and the TypeScript (ESLint)
	@npm run -s lint

typecheck: ## tsc --noEmit over the whole workspace
	@npm run -s typecheck

test: ## Run the test suites (real RabbitMQ and MariaDB on this machine)
	@npm test
