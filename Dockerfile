# One image for every role of the local network (docker-compose.yml): operator, replica and
# voter are the same `maci-anon` CLI with different commands and MACI_ANON_* settings.
# Three stages: the build compiles src/ to dist/, deps installs the production dependencies,
# and the runtime image holds only those, dist/, the launcher and the circuit artifacts.

# Pinned, and the same Node as the `node` dev dependency that runs tests and the demo.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# All dependencies, for tsc. No scripts: prepare (the build) runs below, once the sources are
# here, and the `node` package would fetch a second Node that this image does not need.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only. No scripts: prepare would build again, and classic-level
# (LevelDB) loads the prebuilt binary it ships for linux-x64.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
# package.json: "type": "module" for dist/, and the version.
COPY package.json ./
COPY bin bin
# The committed artifacts only: neither the circom compiler nor the circuits' sources.
COPY circuits/build circuits/build
RUN ln -s /app/bin/maci-anon.js /usr/local/bin/maci-anon \
  && mkdir /data \
  && chown node:node /data

USER node
ENV MACI_ANON_DATA_DIR=/data
VOLUME ["/data"]
# libp2p (operator, replica) and Prometheus metrics (operator, replica).
EXPOSE 4001 4002 4011 4012 9464 9465
# Operator and replica: /readyz on the metrics port (bin/maci-anon-health.js, no curl in the
# image). It fails without MACI_ANON_METRICS_PORT; docker-compose.yml disables it for voters.
HEALTHCHECK --interval=10s --timeout=10s --start-period=30s --retries=3 CMD ["node", "/app/bin/maci-anon-health.js"]
ENTRYPOINT ["maci-anon"]
CMD ["--help"]
