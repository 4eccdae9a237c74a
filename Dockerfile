# `offerkit sandbox serve` in a container: the stateful emulator of the Partner Center, Adobe Offer Library
# and Appcharge APIs, for test suites in any language.
#
#   docker build -t offerkit-sandbox .
#   docker run --rm -p 8787:8787 offerkit-sandbox
#   docker run --rm -p 8787:8787 -v "$PWD/sandbox:/data" offerkit-sandbox --seed /data/seed.json --state /data/state.json
#
# Arguments after the image name are appended to `offerkit sandbox serve --host 0.0.0.0 --port 8787`.

# --- build: the `offerkit` binary, from the lockfile as committed ---------------------------------------------
ARG RUST_VERSION=1.95
FROM rust:${RUST_VERSION}-slim-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p offerkit-cli --bin offerkit \
    && install -D -m 0755 target/release/offerkit /out/offerkit

# --- run: debian-slim (bash for the health check), a non-root user, nothing else ------------------------------
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data --create-home --shell /usr/sbin/nologin offerkit
COPY --from=builder /out/offerkit /usr/local/bin/offerkit
USER 10001:10001
WORKDIR /data
EXPOSE 8787
# The control API's health route, over bash's /dev/tcp (the slim image has no curl or wget).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8787 && printf 'GET /_sandbox/health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# SIGTERM (docker stop) finishes in-flight requests, writes --state and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["offerkit", "sandbox", "serve", "--host", "0.0.0.0", "--port", "8787"]
