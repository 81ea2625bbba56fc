# One image per service, built from the repository root:
#   docker build --build-arg SERVICE=bank-service --build-arg PORT=5000 -t contract-bank/bank-service .
# (`make up` builds the three through docker-compose.yml.)
#
#   build    npm ci + npm run build: every workspace compiled to JavaScript (tsc) in its dist/
#   deps     npm ci --omit=dev --workspace $SERVICE: only what the service uses (native addons
#            such as better-sqlite3 and argon2 compile here on Node 20)
#   runtime  those node_modules + the compiled output of the service and its workspaces (and the
#            API packages' openapi.yaml), run with plain `node`: no tsx, no TypeScript.
#
# Node: 20 like the engines field (>=20.19; mongodb 7, bson 7 and undici 7 need >=20.19 / >=20.18.1,
# better-sqlite3 12 supports 20–26, argon2 builds from source on 20).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.package.json ./
COPY platform/package.json platform/
COPY platform-http/package.json platform-http/
COPY testkit/package.json testkit/
COPY generated/client/package.json generated/client/
COPY generated/events/package.json generated/events/
COPY generated/bank-api/package.json generated/bank-api/
COPY generated/log-api/package.json generated/log-api/
COPY generated/email-api/package.json generated/email-api/
COPY bank-service/package.json bank-service/
COPY log-service/package.json log-service/
COPY email-service/package.json email-service/
# The compiler needs no native addon: install scripts run in the deps stage only.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY platform platform
COPY platform-http platform-http
COPY testkit testkit
COPY generated generated
COPY bank-service bank-service
COPY log-service log-service
COPY email-service email-service
COPY scripts/ship/stage-service.mjs scripts/ship/
RUN npm run build
ARG SERVICE=bank-service
RUN node scripts/ship/stage-service.mjs "${SERVICE}" /stage/manifests --manifests-only \
 && node scripts/ship/stage-service.mjs "${SERVICE}" /stage/app

FROM ${NODE_IMAGE} AS deps
ARG SERVICE=bank-service
# swagger-ui-dist's dependency @scarf/scarf would report the install over the network
ENV SCARF_ANALYTICS=false
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /stage/manifests ./
RUN npm ci --omit=dev --workspace "${SERVICE}" --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=bank-service
ARG PORT=5000
ENV NODE_ENV=production APP_ENV=production PORT=${PORT}
WORKDIR /app
# node_modules at the root and inside workspace folders (packages npm could not hoist)
COPY --from=deps /app ./
COPY --from=build /stage/app ./
RUN mkdir -p "/app/${SERVICE}/data" && chown node:node "/app/${SERVICE}/data"
USER node
WORKDIR /app/${SERVICE}
EXPOSE ${PORT}
# The readiness probe is defined once, in docker-compose.yml (x-ready-healthcheck: /ready over HTTP,
# or HTTPS pinned to the served certificate when TLS_CERT is set).
# --import: the OpenTelemetry entry (OTEL_* variables; OTEL_TRACES_EXPORTER=none switches it off) before the service loads
CMD ["node", "--import", "@bank/platform/telemetry/register", "dist/src/main.js"]
