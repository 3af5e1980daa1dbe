# winnowd as a container: a multi-stage build on Debian 12 slim.  The first
# stage compiles with Debian's -dev packages; the second has only the
# runtime libraries, runs as an unprivileged user and checks its health
# through the admin endpoint.  Configure it with WINNOW_SECTION_KEY
# variables (see docs/container.md); no configuration file is needed.
#
#   podman build --format docker -t winnow .     (or docker build -t winnow .)
#
# BASE lets a test build from a local image (a debootstrap tree imported
# with `podman import`) where no registry is reachable.
ARG BASE=docker.io/library/debian:bookworm-slim

FROM ${BASE} AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc make cmake pkg-config \
      libc6-dev libcurl4-openssl-dev libxml2-dev libuv1-dev libsqlite3-dev \
      libjansson-dev libutf8proc-dev libxxhash-dev libinih-dev libpcre2-dev \
      libzstd-dev libpq-dev libmicrohttpd-dev libssl-dev libjemalloc-dev \
 && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_INSTALL_PREFIX=/usr -DWN_BUILD_TESTS=OFF \
 && cmake --build /build -j"$(nproc)" \
 && DESTDIR=/out cmake --install /build \
 && strip --strip-unneeded /out/usr/bin/winnowd

FROM ${BASE}
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
      libcurl4 libxml2 libuv1 libsqlite3-0 libjansson4 libutf8proc2 \
      libxxhash0 libinih1 libpcre2-8-0 libzstd1 libpq5 libmicrohttpd12 libssl3 \
      libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/winnow --create-home \
      --shell /usr/sbin/nologin winnow
COPY --from=build /out/usr/bin/winnowd /usr/bin/winnowd
COPY --from=build /out/usr/lib /usr/lib

# The sidecar defaults: the store in the state volume, stored articles as
# JSON Lines on stdout, the admin endpoint on loopback for the health check.
ENV WINNOW_STORE_PATH=/var/lib/winnow/winnow.db \
    WINNOW_SINK_JSONL=- \
    WINNOW_ADMIN_LISTEN=127.0.0.1:9310
VOLUME /var/lib/winnow
WORKDIR /var/lib/winnow
USER winnow
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD curl -fsS --max-time 4 "http://$WINNOW_ADMIN_LISTEN/healthz" || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/winnowd"]
CMD ["run"]
