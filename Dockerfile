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
ENTRYPOINT ["node", "bin/ferry.js"]
CMD ["worker"]
