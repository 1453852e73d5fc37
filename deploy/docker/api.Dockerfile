# syntax=docker/dockerfile:1
# gnnops inference API: `gnnops serve` on 0.0.0.0:8000 (POST /predict, /v1/predict/nodes, KServe V2, /metrics).
# Build from the repository root:  docker build -f deploy/docker/api.Dockerfile -t gnnops-api .
# Pinned base: the exact Node release this repository is tested with (bump together with .github/workflows/ci.yml).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- build: dev dependencies; kernels (build/kernels.wasm), compiled CLI (dist/), dashboard (web/dist) ----
FROM ${NODE_IMAGE} AS build
# better-sqlite3 falls back to a source build when no prebuilt binary matches
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# onnxruntime-node ships its CPU library in the npm package; its postinstall would download a CUDA build
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-kernels.mjs scripts/
COPY src src
COPY bin bin
# the dashboard (Preact + Vite) that `gnnops serve` shows at /
COPY web web
RUN npm run build

# ---- deps: production dependencies only ----
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime: production node_modules + build outputs, non-root ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    GNNOPS_HOME=/data/gnnops \
    GNNOPS_LOG_LEVEL=info
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/dist dist
COPY --from=build --chown=node:node /app/build build
COPY --from=build --chown=node:node /app/web/dist web/dist
COPY --chown=node:node package.json ./
COPY --chown=node:node bin bin
RUN mkdir -p /data/gnnops && chown node:node /data/gnnops
# The workspace (registry, runs, checkpoints, request log): mount a volume or a bucket-backed disk here
VOLUME ["/data/gnnops"]
USER node
EXPOSE 8000
# The slim image has no curl: Node's fetch asks the KServe V2 readiness route (503 until the model is loaded)
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/v2/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/gnnops.js"]
# Follows the registry's production alias (hot reload on promotion); override the args to serve another ref
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--model", "wikics-gcn@production"]
