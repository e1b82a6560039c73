package com.skyyrose.hub.platform;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * Redis run from the binary in the embedded-redis jar, bound to loopback, with an append-only file in
 * {@code HUB_DATA_DIR/redis} so sessions survive a restart. Used only when {@code REDIS_URL} is unset.
 */
public final class EmbeddedRedisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);

    private final RedisServer server;
    private final int port;

    private EmbeddedRedisServer(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    public static EmbeddedRedisServer start(Path dataDirectory) throws IOException {
        Files.createDirectories(dataDirectory);
        int port = freePort();
        RedisServer server = RedisServer.newRedisServer()
                .bind("127.0.0.1")
                .port(port)
                .setting("dir " + dataDirectory.toAbsolutePath())
                .setting("appendonly yes")
                .setting("save \"\"")
                // a revoked session must never be evicted to make room
                .setting("maxmemory-policy noeviction")
                .build();
        server.start();
        LOG.info("Embedded Redis started on 127.0.0.1:{}, data in {}", port, dataDirectory.toAbsolutePath());
        return new EmbeddedRedisServer(server, port);
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() throws IOException {
        LOG.info("Stopping embedded Redis");
        server.stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
