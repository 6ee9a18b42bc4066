# One image for every role of the local network (docker-compose.yml): operator, replica and
# voter are the same `maci-anon` CLI with different commands and MACI_ANON_* settings.
FROM node:22-bookworm-slim

WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only: tsx runs the TypeScript sources; the circuits' artifacts
# (circuits/build) are committed, so the circom compiler is not needed.
RUN npm ci --omit=dev && npm cache clean --force
COPY . .
RUN ln -s /app/bin/maci-anon.js /usr/local/bin/maci-anon \
  && mkdir /data \
  && chown node:node /data

USER node
ENV MACI_ANON_DATA_DIR=/data
VOLUME ["/data"]
# libp2p (operator, replica) and Prometheus metrics (operator, replica).
EXPOSE 4001 4002 9464 9465
ENTRYPOINT ["maci-anon"]
CMD ["--help"]
