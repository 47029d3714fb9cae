# The lifeboat controller image: Node 24 runs the TypeScript sources directly (type stripping, as
# `npm start` does), with production dependencies only. test/e2e/deploy/production-tree.test.ts
# builds the same tree without a container engine (COPY lines and the npm ci flags are read from
# here) and runs the CLI from it, so a run-time import of a dev dependency or of test code fails CI.
ARG NODE_IMAGE=node:24-slim

# Dependencies in their own stage: no npm cache, no lockfile churn in the final image's layers.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src ./src
# Numeric, so the kubelet can verify runAsNonRoot (the `node` user of the official images is 1000).
USER 1000:1000
EXPOSE 8080
# --max-semi-space-size=1 as in main.ts's shebang: streaming copies keep a smaller peak RSS.
ENTRYPOINT ["node", "--max-semi-space-size=1", "src/cli/main.ts"]
CMD ["run"]
