# syntax=docker/dockerfile:1
# DevSkyy Hub: multi-stage build. Stage 1 builds the slim production jar (-Pproduction: no embedded PostgreSQL/Redis,
# no float32 model, Linux natives only) and splits it into layers; stage 2 runs it on a JRE 17 as a non-root user.
# Routes ship in /app/routes (HUB_ROUTES_DIR). It needs DATABASE_URL and REDIS_URL (render.yaml wires both).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# dependencies first, so code changes reuse the cached layer
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src ./src
RUN mvn -B -ntp -q -DskipTests -Pproduction package \
 && java -Djarmode=tools -jar target/devskyy-hub.jar extract --layers --launcher --destination /layers

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 hub && useradd --system --uid 10001 --gid hub --home-dir /app hub
WORKDIR /app
# least-changing layers first
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
COPY routes ./routes
RUN mkdir -p /app/data && chown -R hub:hub /app/data
USER hub
# production by default: refuses to start without HUB_MASTER_KEY (or explicit keys); needs DATABASE_URL/REDIS_URL.
# Memory on a 512 MB instance (bench/footprint.sh): heap 45% of the container (230 MB), class metadata and code cache
# capped, small thread stacks and at most 64 request threads (each started thread keeps its touched stack), glibc
# limited to two malloc arenas (per-thread arenas grew the native memory NMT does not see); the rest is left to
# ONNX Runtime's model session and the tokenizers. Serial GC: half a core, a small heap, and no collector structures
# (G1's were ~50 MB).
ENV HUB_ENV=production \
    PORT=8080 \
    HUB_ROUTES_DIR=/app/routes \
    HUB_DATA_DIR=/app/data \
    HUB_HTTP_THREADS=64 \
    MALLOC_ARENA_MAX=2 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=45 -XX:InitialRAMPercentage=12 -XX:MaxMetaspaceSize=160m -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=64m -Xss512k -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
# exec form: the JVM is PID 1 and gets SIGTERM, so Spring's graceful shutdown drains requests and Camel exchanges
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
