# syntax=docker/dockerfile:1
# gnnops training job: `gnnops train` (downloads the dataset, trains with the split/seed protocol, tracks the run
# and registers the model in GNNOPS_HOME). Also runs `gnnops sweep worker` for queue-driven sweeps.
# Build from the repository root:  docker build -f deploy/docker/train.Dockerfile -t gnnops-train .
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-kernels.mjs scripts/
COPY src src
COPY bin bin
# kernels + compiled CLI only: a training job has no use for the web dashboard
RUN npm run build:kernels && npm run build:ts

FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# git: runs record the commit they were trained from when the workspace is a checkout
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    GNNOPS_HOME=/data/gnnops \
    GNNOPS_LOG_LEVEL=info
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/dist dist
COPY --from=build --chown=node:node /app/build build
COPY --chown=node:node package.json ./
COPY --chown=node:node bin bin
COPY --chown=node:node examples examples
RUN mkdir -p /data/gnnops && chown node:node /data/gnnops
VOLUME ["/data/gnnops"]
USER node
# A batch job has no port to probe: the job's exit code is its health
HEALTHCHECK NONE
ENTRYPOINT ["node", "bin/gnnops.js"]
CMD ["train", "--preset", "gcn-wikics", "--json"]
