# syntax=docker/dockerfile:1
#
# One image for all six processes of the MLOps control plane. The process is
# selected at run time with APP (gateway | feature-store | lifecycle |
# evaluation | prompt-governance | monitor):
#
#   docker build -t mlops-control-plane .
#   docker run -e APP=lifecycle -e PORT=3002 ... mlops-control-plane
#
# Node >= 20.19 is required; the node:20 bookworm-slim tags are all past it.
ARG NODE_IMAGE=node:20-bookworm-slim

# --- deps: full dependency tree (dev deps are needed to compile) ------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
# npm ci's postinstall applies these fixes to dependencies (patch-package).
COPY patches patches
RUN --mount=type=cache,target=/root/.npm npm ci

# --- console: the web console's static files (Vite), served by the gateway at / ---
FROM deps AS console
COPY apps/web apps/web
COPY libs/client libs/client
COPY tsconfig*.json ./
RUN npx vite build --config apps/web/vite.config.mjs --logLevel warn \
 && test -f apps/web/dist/index.html

# --- build: compile every app, then drop dev deps ---------------------------
FROM deps AS build
COPY . .
RUN npm run build \
 && for app in gateway feature-store lifecycle evaluation prompt-governance monitor; do \
      test -f "dist/apps/$app/src/main.js" || { echo "missing dist/apps/$app/src/main.js" >&2; exit 1; }; \
    done \
 && npm prune --omit=dev \
 && mkdir -p /out \
 && cp -a package.json package-lock.json node_modules dist /out/ \
 && (cp -a tsconfig*.json /out/ 2>/dev/null || true)
# The gateway looks for the console in apps/web/dist under its working directory (GATEWAY_CONSOLE_DIR).
COPY --from=console /app/apps/web/dist /out/apps/web/dist

# --- runtime ----------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    APP=gateway \
    HOST=0.0.0.0
WORKDIR /app
# Files stay root-owned and read-only for the runtime user; the container runs
# fine with a read-only root filesystem (only /tmp needs to be writable).
COPY --from=build /out /app
# "node" is uid/gid 1000 in the official image; numeric so that Kubernetes
# runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080 3001 3002 3003 3004 3005
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# exec: node becomes PID 1 and receives SIGTERM directly (graceful shutdown).
CMD ["/bin/sh", "-c", "main=\"dist/apps/${APP}/src/main.js\"; [ -f \"$main\" ] || { echo \"unknown APP='${APP}' (no $main)\" >&2; exit 64; }; exec node \"$main\""]
