# s3lite as a container image, built from a checkout alone: nothing is fetched but the base image and the
# npm packages of package-lock.json (among them Bun, as the `bun` package).
#   docker build -t s3lite .
#   docker run -p 9000:9000 -e S3LITE_CREDENTIALS=AKID:SECRET -v s3lite-data:/data s3lite
# test/package/dockerfile.package.ts replays these steps in a clean folder where no container engine runs.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY LICENSE README.md ./
COPY bin ./bin
COPY src ./src
# The node image's own unprivileged user (uid 1000) owns the data folder, so a new named volume does too.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME /data
ENV S3LITE_HOST=0.0.0.0 S3LITE_PORT=9000 S3LITE_DATA=/data
USER node
EXPOSE 9000
# Answers 200 once the store is open. On 0.0.0.0 the built-in keys are refused: pass S3LITE_CREDENTIALS.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.S3LITE_PORT}/_s3lite/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/s3lite.js"]
CMD ["serve"]
