# The runtime image of each service (docker-compose.yml builds all three from this file; Kubernetes runs the same
# images). Build context: the service's module folder after `./mvnw -DskipTests package`; its .dockerignore lets
# in only target/quarkus-app and jvm.options, so the context stays small.
#
# Debian's OpenJDK 17 JRE; jemalloc preloaded with its decay off, so freed pages are kept for reuse rather than
# given back and faulted in again every step (BENCHMARKS.md, "Allocator": the trainer's step at batch 128 in
# 0.43 s against glibc's 1.0 s and default jemalloc's 2.3 s, RSS flat at its peak); curl for the health checks,
# socat for trainer-api; an unprivileged user with a home, where DJL unpacks libtorch on first start.
# The application files are root's and read-only to the service; /data (ingest's dataset) is the user's, so a
# fresh named volume mounted there is writable.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless libjemalloc2 curl socat \
 && rm -rf /var/lib/apt/lists/*
RUN ln -s "$(find /usr/lib -name libjemalloc.so.2 | head -n 1)" /usr/local/lib/libjemalloc.so.2 \
 && groupadd --gid 185 pipeline \
 && useradd --uid 185 --gid 185 --create-home --home-dir /home/pipeline pipeline \
 && install -d -o pipeline -g pipeline /data
ENV LANG=C.UTF-8 LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1
WORKDIR /deployments
COPY target/quarkus-app/lib/ lib/
COPY target/quarkus-app/*.jar ./
COPY target/quarkus-app/app/ app/
COPY target/quarkus-app/quarkus/ quarkus/
COPY jvm.options ./
USER 185
# jvm.options is the one place a service's JVM flags are written (bin/pipeline reads the same file);
# JAVA_OPTS adds to them.
ENTRYPOINT ["sh", "-c", "exec java $(cat /deployments/jvm.options) -Dquarkus.http.host=0.0.0.0 -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dai.djl.offline=true $JAVA_OPTS -jar /deployments/quarkus-run.jar"]
