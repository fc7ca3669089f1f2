# syntax=docker/dockerfile:1
#
# One image for both apps; the command picks which one runs:
#   node dist/apps/api/main.js          (default CMD)
#   node dist/apps/dispatcher/main.js   (docker-compose.yml overrides the command)
#
# Stages:
#   deps     every dependency, dev ones included, for the build
#   build    sources + compiled dist + all dependencies; also the image the `cli` compose service
#            runs, since `npm run cli` may need dev dependencies (ts-node) the runtime image omits
#   runtime  production dependencies + dist only, as the non-root `node` user
#
# Every `npm ci` uses --ignore-scripts: no runtime dependency needs a native build, and the only
# packages with install scripts are a dev-only file watcher (its prebuilt binary arrives as an
# optional dependency) and a telemetry ping. Skipping them keeps builds offline-safe and faster.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund

FROM deps AS build
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# Set before `npm ci` too, so nothing can pull in dev dependencies by accident.
ENV NODE_ENV=production
# Both apps need little heap; without a cap V8 lets garbage pile up to several hundred MB under load
# before collecting it, and a smaller young generation and two malloc arenas keep a dispatcher's RSS
# about 20 MiB lower (bench/RESULTS.md). `npm start` and the bench read these two lines too.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# Owned by root and only readable by `node`: the app cannot rewrite its own code.
COPY --from=build /app/dist ./dist
USER node
# 3000: API (API_PORT). 3001: dispatcher /health and /ready (DISPATCHER_PORT). The ops listeners
# (/metrics, health details: API_METRICS_PORT 3100, DISPATCHER_METRICS_PORT 3101) are for the
# internal network only and not listed here.
EXPOSE 3000 3001
CMD ["node", "dist/apps/api/main.js"]
