# The ferry worker image: the compiled package with production dependencies only (no tsx, no TypeScript).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
# npm ci runs `prepare`, which compiles src/ into dist/.
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# No install scripts: they serve the local sandbox (embedded PostgreSQL) and the build, not a worker.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY bin ./bin
# Bundle the workflows now, so that workers start fast and never run webpack (see src/workflow-bundle.ts).
RUN node dist/workflow-bundle-child.js
USER node
# GET /healthz: 200 while the worker runs and its database answers (src/client/health.ts).
ENV FERRY_HEALTH_ADDRESS=0.0.0.0:8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8081/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/ferry.js"]
CMD ["worker"]
