# syntax=docker/dockerfile:1
# DevSkyy Hub: multi-stage build. Stage 1 builds the slim production jar (-Pproduction: no embedded PostgreSQL/Redis,
# no float32 model, Linux natives only) and extracts it into layers (the jar + lib/, so classes load from plain jars
# and can be archived); stage 2 lays them out; stage 3 starts the hub once against a throwaway PostgreSQL and Redis to
# write a class data sharing (AppCDS) archive; the final image is stage 2 plus that archive, run on a JRE 17 as a
# non-root user. Routes ship in /app/routes (HUB_ROUTES_DIR). It needs DATABASE_URL and REDIS_URL (render.yaml wires both).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# dependencies first, so code changes reuse the cached layer
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src ./src
RUN mvn -B -ntp -q -DskipTests -Pproduction package \
 && java -Djarmode=tools -jar target/devskyy-hub.jar extract --layers --destination /layers

FROM eclipse-temurin:17-jre AS app
RUN groupadd --system --gid 10001 hub && useradd --system --uid 10001 --gid hub --home-dir /app hub
WORKDIR /app
# least-changing layers first; the extracted files keep the jar's entry times, so the archive's recorded class path
# (paths, sizes, times) matches in every stage that copies them
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
COPY routes ./routes
RUN mkdir -p /app/data && chown -R hub:hub /app/data

# Training run for the CDS archive (bench/startup-and-memory.sh measures what it gives, with the same steps): the hub
# needs a database and Redis to start, so this stage installs both, starts the hub until /health/ready answers 200
# (Spring, Tomcat and Camel's routes all loaded), calls a few operations, stops it with SIGTERM and keeps only the
# archive the JVM writes at exit. The final image has neither server.
FROM app AS cds
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql redis-server curl \
 && rm -rf /var/lib/apt/lists/*
RUN pg_ctlcluster "$(ls /etc/postgresql)" main start \
 && su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'cds-training'\"" \
 && redis-server --daemonize yes --bind 127.0.0.1 --save "" --appendonly no \
 && (HUB_ENV=production HUB_MASTER_KEY="$(head -c 32 /dev/urandom | base64)" HUB_DATA_DIR=/tmp/cds-data \
     HUB_ROUTES_DIR=/app/routes HUB_ROUTES_RELOAD=false PORT=8080 MALLOC_ARENA_MAX=2 HUB_HTTP_THREADS=64 \
     DATABASE_URL=postgres://postgres:cds-training@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
     java -XX:+UseSerialGC -XX:MaxRAM=512m -XX:ArchiveClassesAtExit=/app/hub.jsa -jar /app/devskyy-hub.jar \
     > /tmp/cds-training.log 2>&1 & echo $! > /tmp/hub.pid) \
 && for i in $(seq 1 600); do [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/health/ready)" = 200 ] && break; sleep 0.5; done \
 && for p in /health/live /health/ready /openapi.json /api/v1/agents /nope; do curl -s -o /dev/null "http://127.0.0.1:8080$p"; done \
 && kill "$(cat /tmp/hub.pid)" && while kill -0 "$(cat /tmp/hub.pid)" 2>/dev/null; do sleep 1; done \
 && (test -s /app/hub.jsa || (tail -n 40 /tmp/cds-training.log; exit 1))

FROM app
COPY --from=cds /app/hub.jsa /app/hub.jsa
USER hub
# production by default: refuses to start without HUB_MASTER_KEY (or explicit keys); needs DATABASE_URL/REDIS_URL.
# Memory on a 512 MB instance (bench/footprint.sh measures all of it; README "Footprint and start-up"), one reason each:
#   HUB_HTTP_THREADS=64            at most 64 request threads: each started thread keeps the stack pages it touched
#   MALLOC_ARENA_MAX=2             two glibc malloc arenas: per-thread arenas grew native memory that NMT does not see
#   MALLOC_MMAP_THRESHOLD_=4194304 blocks of 4 MiB and more (an Argon2 hash's 19 MiB) are mapped on their own and
#                                  unmapped when freed: glibc's adaptive threshold served them from an arena, where
#                                  two freed hashes stayed resident (~40 MB) until the next trim
#   -XX:MaxRAMPercentage=22 -XX:MinRAMPercentage=22
#                                  heap 22% of the container (114 MB of 512; a container this small gets
#                                  MinRAMPercentage, and without it the heap would not go below the JVM's 126 MB
#                                  default): live data 62–68 MB after a full collection under the mixed load; Argon2's
#                                  memory is not on the heap (security/Argon2idNative)
#   -XX:InitialRAMPercentage=12    start small, grow only as far as the load needs
#   -XX:TrimNativeHeapInterval=5000  give freed malloc memory (ONNX Runtime, compilers, JDBC/TLS) back every 5 s
#   -XX:MaxMetaspaceSize=160m      class metadata cap (~23 MB used with the archive, ~95 without): a leak fails fast
#   -XX:ReservedCodeCacheSize=48m  JIT code cap (38 MB used after the mixed load with this cap, 44 MB with 64m)
#   -XX:MaxDirectMemorySize=64m    NIO buffers cap (Tomcat, Lettuce/Netty)
#   -Xss512k                       thread stacks: half the default reservation, deep enough for Camel's routes
#   -XX:+UseSerialGC               half a core and a small heap: no collector threads or G1 structures (~50 MB)
#   -XX:+ExitOnOutOfMemoryError    a JVM out of memory exits, so Render restarts it
#   -XX:SharedArchiveFile          (in ENTRYPOINT) the CDS archive of the training run: classes load already parsed
#                                  and verified, start-up is shorter; a JVM that cannot map it starts without it
ENV HUB_ENV=production \
    PORT=8080 \
    HUB_ROUTES_DIR=/app/routes \
    HUB_DATA_DIR=/app/data \
    HUB_HTTP_THREADS=64 \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=4194304 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=22 -XX:MinRAMPercentage=22 -XX:InitialRAMPercentage=12 -XX:TrimNativeHeapInterval=5000 -XX:MaxMetaspaceSize=160m -XX:ReservedCodeCacheSize=48m -XX:MaxDirectMemorySize=64m -Xss512k -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
# exec form: the JVM is PID 1 and gets SIGTERM, so Spring's graceful shutdown drains requests and Camel exchanges.
# The archive is named here, not in JAVA_TOOL_OPTIONS, so jcmd and other JDK tools in the container do not try it.
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/hub.jsa", "-jar", "/app/devskyy-hub.jar"]
