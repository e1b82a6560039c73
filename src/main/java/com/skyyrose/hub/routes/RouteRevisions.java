package com.skyyrose.hub.routes;

import com.skyyrose.hub.platform.DatabaseUrl;
import com.skyyrose.hub.platform.InstanceRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every instance runs the current revision of every route file (issue 18). The {@code routes/} folder shipped with
 * the hub is the baseline; a revision in PostgreSQL replaces one file. This class decides what each file's content
 * is ({@link #effective}), applies it to this instance's CamelContext, and reports the outcome per instance in
 * {@code route_file_instance}.
 *
 * <p><b>Precedence.</b> A revision records the SHA-256 of the shipped file it was made on (its baseline; none for a
 * new file). It runs while this instance's shipped file still equals that baseline. When a release ships a different
 * file, the shipped file wins and the revision is marked {@code superseded}: never merged. A later edit (made on the
 * new baseline) runs again.
 *
 * <p><b>Propagation.</b> Storing a revision NOTIFYs {@code hub_route_files}; each instance LISTENs on a dedicated
 * connection and applies the change at once, and also compares a fingerprint of all current revisions every
 * {@code hub.routes.revisions.check-interval} (a missed notification, a broken connection). An instance that cannot
 * create the new routes keeps the previous ones and reports the error.
 */
public class RouteRevisions {

    private static final Logger LOG = LoggerFactory.getLogger(RouteRevisions.class);
    static final String CHANNEL = "hub_route_files";

    /** What a file is on this instance: its revision (0 = the shipped file) and content (null = no such file). */
    public record Effective(String path, int revision, String origin, String content, Integer supersededRevision) {
        public boolean exists() {
            return content != null;
        }

        /** The entity tag of this version of the file (changes whenever what runs changes). */
        public String etag() {
            String sha = content == null ? "absent" : RouteFileStore.sha256(content).substring(0, 20);
            return "\"" + revision + "-" + sha + "\"";
        }
    }

    /** What this instance last applied per file. */
    private record Applied(int revision, String contentSha) {
    }

    private final RouteFileStore store;
    private final LiveRouteFiles live;
    private final Path folder;
    private final String instanceId;
    private final DatabaseUrl db;
    private final Duration checkInterval;
    private final MeterRegistry meters;
    private final Map<String, Applied> applied = new ConcurrentHashMap<>();
    private final Map<String, String> failedAttempts = new ConcurrentHashMap<>();
    /** Effective content of edited tools descriptors, for the tool registry (empty Optional: deleted). */
    private final Map<Path, Optional<String>> descriptorOverrides = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile Thread worker;
    private volatile Connection listenConnection;
    private volatile String lastFingerprint = "";

    public RouteRevisions(RouteFileStore store, CamelContext camel, Path folder, InstanceRegistry instances,
            DatabaseUrl db, Duration checkInterval, MeterRegistry meters) {
        this.store = store;
        this.live = new LiveRouteFiles(camel);
        this.folder = folder.toAbsolutePath().normalize();
        this.instanceId = instances.instanceId();
        this.db = db;
        this.checkInterval = checkInterval;
        this.meters = meters;
    }

    public String instanceId() {
        return instanceId;
    }

    public Path folder() {
        return folder;
    }

    // ---- the shipped baseline ----

    public Path fileOf(String path) {
        Path file = folder.resolve(path).normalize();
        if (!file.startsWith(folder)) {
            throw new IllegalArgumentException("path outside the routes folder: " + path);
        }
        return file;
    }

    public Optional<String> shipped(String path) {
        Path file = fileOf(path);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public String shippedSha(String path) {
        return shipped(path).map(RouteFileStore::sha256).orElse(null);
    }

    /** Every editable file shipped in the routes folder, as relative paths. */
    public List<String> shippedPaths() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.filter(Files::isRegularFile).map(p -> folder.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> RouteFileValidator.pathProblem(p) == null).sorted().forEach(out::add);
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + folder + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Every file that exists on this instance, shipped or added by a revision, sorted. */
    public List<String> allPaths() {
        TreeSet<String> paths = new TreeSet<>(shippedPaths());
        store.editedFiles().forEach(f -> paths.add(f.current().path()));
        return List.copyOf(paths);
    }

    // ---- precedence ----

    /** The file as it runs here; marks a revision superseded when the shipped file moved past its baseline. */
    public Effective effective(String path) {
        return effective(path, store.editedFile(path));
    }

    private Effective effective(String path, Optional<RouteFileStore.EditedFile> edited) {
        Optional<String> shipped = shipped(path);
        if (edited.isEmpty()) {
            return new Effective(path, 0, "shipped", shipped.orElse(null), null);
        }
        RouteFileStore.Revision current = edited.get().current();
        String shippedSha = shipped.map(RouteFileStore::sha256).orElse(null);
        boolean superseded = edited.get().superseded();
        if (!superseded && !Objects.equals(current.baselineSha256(), shippedSha)) {
            if (store.markSuperseded(path, current.revision(), shippedSha)) {
                LOG.warn("Route file {}: revision {} was made on another shipped version of the file; the shipped "
                        + "file of this release wins and the revision is now superseded (not merged). Edit the file "
                        + "again to change it.", path, current.revision());
                meters.counter("hub.routes.revisions.superseded").increment();
            }
            superseded = true;
        }
        if (superseded) {
            return new Effective(path, 0, "shipped", shipped.orElse(null), current.revision());
        }
        return new Effective(path, current.revision(), "revision", current.content(), null);
    }

    // ---- applying ----

    /** Applies every file's current revision on this instance (idempotent); returns what changed. */
    public synchronized List<String> syncAll() {
        List<String> changed = new ArrayList<>();
        for (RouteFileStore.EditedFile edited : store.editedFiles()) {
            String path = edited.current().path();
            if (RouteFileValidator.pathProblem(path) != null) {
                continue;
            }
            Effective target = effective(path, Optional.of(edited));
            String sha = target.content() == null ? "absent" : RouteFileStore.sha256(target.content());
            Applied now = applied.get(path);
            if (now == null && target.revision() == 0) {
                // never touched here and the shipped file runs: nothing to do but say so
                applied.put(path, new Applied(0, sha));
                report(path, target, null);
                continue;
            }
            if (now != null && now.revision() == target.revision() && now.contentSha().equals(sha)) {
                continue;
            }
            String attempt = target.revision() + ":" + sha;
            if (attempt.equals(failedAttempts.get(path))) {
                continue; // failed already; the previous routes keep serving until the next change
            }
            try {
                applyFile(path, target.content());
                applied.put(path, new Applied(target.revision(), sha));
                failedAttempts.remove(path);
                report(path, target, null);
                changed.add(path + "@" + target.revision());
                LOG.info("Route file {} now runs {}", path, target.revision() == 0 ? "the shipped file"
                        : "revision " + target.revision());
                meters.counter("hub.routes.revisions.applied", "outcome", "applied").increment();
            } catch (Exception e) {
                String reason = rootMessage(e);
                failedAttempts.put(path, attempt);
                store.report(instanceId, path, now == null ? 0 : now.revision(), "failed",
                        "revision " + target.revision() + ": " + reason);
                LOG.error("Route file {}: revision {} cannot run on this instance ({}); the previous routes keep "
                        + "serving", path, target.revision(), reason);
                meters.counter("hub.routes.revisions.applied", "outcome", "failed").increment();
            }
        }
        lastFingerprint = store.fingerprint();
        return changed;
    }

    private void report(String path, Effective target, String error) {
        store.report(instanceId, path, target.revision(), target.supersededRevision() != null ? "superseded"
                : "applied", error);
    }

    private void applyFile(String path, String content) throws Exception {
        Path file = fileOf(path);
        if (RouteFileValidator.isToolsDescriptor(path)) {
            descriptorOverrides.put(file, Optional.ofNullable(content));
            return;
        }
        live.apply(file, content);
    }

    /**
     * For the tool registry: the content of an edited descriptor file as it runs here (an empty Optional when a
     * revision deleted it), or null when the file on disk is what runs.
     */
    public Optional<String> descriptorOverride(Path file) {
        return descriptorOverrides.get(file.toAbsolutePath().normalize());
    }

    /** Descriptor files that exist only as revisions, in the given folder. */
    public List<Path> descriptorsAddedIn(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        return descriptorOverrides.entrySet().stream().filter(e -> e.getValue().isPresent()
                && d.equals(e.getKey().getParent()) && !Files.exists(e.getKey())).map(Map.Entry::getKey).sorted()
                .toList();
    }

    // ---- start-up and the listener ----

    /** Applies the current revisions, logs which files run one instead of the shipped file, starts listening. */
    public void start() {
        syncAll();
        List<String> revisions = new ArrayList<>();
        List<String> superseded = new ArrayList<>();
        for (RouteFileStore.EditedFile edited : store.editedFiles()) {
            Applied a = applied.get(edited.current().path());
            if (edited.superseded()) {
                superseded.add(edited.current().path() + " (revision " + edited.current().revision() + ")");
            } else if (a != null && a.revision() > 0) {
                revisions.add(edited.current().path() + " (revision " + a.revision() + ")");
            }
        }
        if (revisions.isEmpty()) {
            LOG.info("Route files: every file runs as shipped in {}", folder);
        } else {
            LOG.info("Route files running a revision from the database instead of the shipped file: {}", revisions);
        }
        if (!superseded.isEmpty()) {
            LOG.warn("Route file revisions superseded by the shipped files of this release (not applied): {}",
                    superseded);
        }
        running = true;
        Thread t = new Thread(this::listen, "hub-route-revisions");
        t.setDaemon(true);
        worker = t;
        t.start();
    }

    public void stop() {
        running = false;
        Thread t = worker;
        Connection c = listenConnection;
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing wakes the listener
            }
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void listen() {
        long backoff = 1000;
        while (running) {
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
                listenConnection = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                syncSafely(); // after a reconnection, apply what was missed
                backoff = 1000;
                long nextCheck = System.nanoTime() + checkInterval.toNanos();
                while (running) {
                    long waitMs = Math.max(1, (nextCheck - System.nanoTime()) / 1_000_000);
                    PGNotification[] notes = pg.getNotifications((int) Math.min(waitMs, Integer.MAX_VALUE));
                    if (!running) {
                        break;
                    }
                    if (notes != null && notes.length > 0) {
                        syncSafely();
                    } else if (System.nanoTime() >= nextCheck) {
                        if (!store.fingerprint().equals(lastFingerprint)) {
                            syncSafely();
                        }
                        nextCheck = System.nanoTime() + checkInterval.toNanos();
                    }
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                LOG.warn("Route revisions: listener connection failed ({}); retrying in {} ms", e.toString(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff = Math.min(30_000, backoff * 2);
            } finally {
                listenConnection = null;
            }
        }
    }

    private void syncSafely() {
        try {
            syncAll();
        } catch (RuntimeException e) {
            LOG.error("Route revisions: could not apply the current revisions: {}", e.toString(), e);
        }
    }

    static String rootMessage(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable cause = e.getCause();
        while (cause != null && cause != cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(" — ").append(cause.getMessage());
            }
            cause = cause.getCause();
        }
        return text.toString();
    }
}
