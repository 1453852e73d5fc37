# syntax=docker/dockerfile:1
# gnnops test image: the CI entry point (.ci/run: lint, typecheck, unit tests with coverage, promtool checks) in a
# clean container. Tests that read the shared data expect it at /shared (the repository's ../shared):
#   docker build -f deploy/docker/test.Dockerfile -t gnnops-test .
#   docker run --rm -v "$PWD/../shared:/shared:ro" gnnops-test
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- deps: every dependency (dev included), with the system tools the tests call ----
FROM ${NODE_IMAGE} AS deps
# promtool (prometheus), redis-server (BullMQ tests), chromium (dashboard tests), git (run provenance)
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ git ca-certificates \
      prometheus redis-server redis-tools chromium \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---- test: the whole checkout, built, run as the unprivileged node user ----
FROM deps AS test
ENV CI=true
COPY . .
RUN npm run build && chown -R node:node /app
USER node
HEALTHCHECK NONE
# .ci/run skips its apt step when the tools above are present, starts Redis on loopback and runs `npm test`
CMD ["bash", ".ci/run"]
