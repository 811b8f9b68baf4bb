# The ferry worker image. ferry runs its TypeScript through tsx, so there is no build stage.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY tsconfig.json ./
# Bundle the workflows now, so that workers start fast and never run webpack (see src/workflow-bundle.ts).
RUN node --import tsx src/workflow-bundle-child.ts
USER node
ENTRYPOINT ["node", "bin/ferry.js"]
CMD ["worker"]
