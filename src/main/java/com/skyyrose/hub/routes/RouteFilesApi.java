package com.skyyrose.hub.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.api.Requests;
import com.skyyrose.hub.security.AuditLog;
import com.skyyrose.hub.security.IdentityGuard;
import com.skyyrose.hub.security.Principal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.camel.Exchange;

/**
 * The route files operations of the contract ({@code /api/v1/route-files...}): read, validate, change, delete,
 * restore and export the route files every instance runs. A change needs {@code If-Match} with the file's ETag when
 * the file exists (428 without, 412 when stale), is validated by {@link RouteFileValidator} (422 with
 * {@code errors: [{line, column, message}]}), stored as a revision, applied here at once and on the other instances
 * through {@link RouteRevisions}, and written to the audit log.
 */
public class RouteFilesApi {

    /** Instances whose heartbeat is older than this are not listed. */
    private static final int ALIVE_SECONDS = 90;

    private final RouteRevisions revisions;
    private final RouteFileStore store;
    private final RouteFileValidator validator;
    private final AuditLog audit;
    private final ObjectMapper json;

    public RouteFilesApi(RouteRevisions revisions, RouteFileStore store, RouteFileValidator validator, AuditLog audit,
            ObjectMapper json) {
        this.revisions = revisions;
        this.store = store;
        this.validator = validator;
        this.audit = audit;
        this.json = json;
    }

    /** GET /api/v1/route-files */
    public Map<String, Object> list(Exchange exchange) {
        List<RouteFileStore.InstanceReport> reports = store.reports(ALIVE_SECONDS);
        List<String> live = store.liveInstances(ALIVE_SECONDS);
        List<Map<String, Object>> items = new ArrayList<>();
        for (String path : revisions.allPaths()) {
            RouteRevisions.Effective file = revisions.effective(path);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("path", path);
            item.put("revision", file.revision());
            item.put("origin", file.origin());
            item.put("exists", file.exists());
            if (file.supersededRevision() != null) {
                item.put("superseded_revision", file.supersededRevision());
            }
            List<Map<String, Object>> instances = new ArrayList<>();
            List<RouteFileStore.InstanceReport> mine = reports.stream().filter(r -> r.path().equals(path)).toList();
            for (String instance : live) {
                Optional<RouteFileStore.InstanceReport> report = mine.stream()
                        .filter(r -> r.instanceId().equals(instance)).findFirst();
                Map<String, Object> i = new LinkedHashMap<>();
                i.put("instance", instance);
                // an instance that never reported on this file runs it as shipped (it started with it)
                i.put("revision", report.map(RouteFileStore.InstanceReport::revision).orElse(0));
                i.put("status", report.map(RouteFileStore.InstanceReport::status).orElse("applied"));
                i.put("error", report.map(RouteFileStore.InstanceReport::error).orElse(null));
                instances.add(i);
            }
            item.put("instances", instances);
            items.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("instance", revisions.instanceId());
        return body;
    }

    /** GET /api/v1/route-files/content?path= */
    public Map<String, Object> content(Exchange exchange) {
        String path = path(exchange);
        RouteRevisions.Effective file = existing(path);
        exchange.getMessage().setHeader("ETag", file.etag());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("path", path);
        body.put("revision", file.revision());
        body.put("origin", file.origin());
        body.put("content", file.content());
        return body;
    }

    /** POST /api/v1/route-files/validate {path, content} */
    public Map<String, Object> validate(byte[] body, Exchange exchange) {
        JsonNode request = Requests.jsonObject(json, body);
        String path = request.path("path").asText(null);
        checkPath(path);
        RouteFileValidator.Result result = validator.validate(path, request.path("content").asText(null));
        if (!result.valid()) {
            throw invalid(path, result);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("valid", true);
        out.put("routes", result.routeIds());
        return out;
    }

    /** PUT /api/v1/route-files/content?path= {content, message} */
    public Map<String, Object> put(byte[] body, Exchange exchange) {
        String path = path(exchange);
        JsonNode request = Requests.jsonObject(json, body);
        String content = request.path("content").asText(null);
        String message = request.path("message").asText(null);
        RouteRevisions.Effective current = revisions.effective(path);
        precondition(exchange, current, current.exists());
        return change(exchange, path, current, content, message, null, "route-file.update");
    }

    /** DELETE /api/v1/route-files/content?path= */
    public void delete(Exchange exchange) {
        String path = path(exchange);
        RouteRevisions.Effective current = existing(path);
        precondition(exchange, current, true);
        store(exchange, path, current, null, "deleted", null, "route-file.delete");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        exchange.getMessage().setBody(null);
    }

    /** POST /api/v1/route-files/restore?path=&revision= — a new revision with that revision's content. */
    public Map<String, Object> restore(Exchange exchange) {
        String path = path(exchange);
        int revision = Requests.intParam(exchange, "revision", -1);
        RouteRevisions.Effective current = revisions.effective(path);
        String content;
        if (revision == 0) {
            content = revisions.shipped(path).orElseThrow(() -> ProblemException.notFound("No file " + path
                    + " was shipped with this release."));
        } else {
            content = store.revision(path, revision).orElseThrow(() -> ProblemException.notFound("The file " + path
                    + " has no revision " + revision + ".")).content();
        }
        precondition(exchange, current, current.exists());
        String note = "restored revision " + revision;
        if (content == null) {
            if (!current.exists()) {
                throw new ProblemException(ProblemType.CONFLICT, 409, "The file " + path + " is already deleted.");
            }
            return store(exchange, path, current, null, note, revision, "route-file.restore");
        }
        return change(exchange, path, current, content, note, revision, "route-file.restore");
    }

    /** GET /api/v1/route-files/revisions?path= */
    public Map<String, Object> history(Exchange exchange) {
        String path = path(exchange);
        List<RouteFileStore.Revision> rows = store.history(path);
        if (rows.isEmpty() && revisions.shipped(path).isEmpty()) {
            throw ProblemException.notFound("No route file " + path + ".");
        }
        RouteRevisions.Effective current = revisions.effective(path);
        List<Map<String, Object>> items = new ArrayList<>();
        for (RouteFileStore.Revision r : rows) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("revision", r.revision());
            item.put("author", r.createdBy());
            item.put("created_at", r.createdAt().toString());
            item.put("message", r.message());
            item.put("deleted", r.content() == null);
            item.put("restored_from", r.restoredFrom());
            item.put("baseline", r.baselineSha256() == null ? "none" : r.baselineSha256().substring(0, 12));
            item.put("current", r.revision() == current.revision());
            item.put("superseded", current.supersededRevision() != null
                    && current.supersededRevision() == r.revision());
            item.put("content", r.content());
            items.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("path", path);
        body.put("revision", current.revision());
        body.put("origin", current.origin());
        body.put("etag", current.etag());
        body.put("shipped", revisions.shipped(path).orElse(null));
        store.editedFile(path).filter(RouteFileStore.EditedFile::superseded).ifPresent(f -> {
            Map<String, Object> superseded = new LinkedHashMap<>();
            superseded.put("revision", f.current().revision());
            superseded.put("at", f.supersededAt().toString());
            // the shipped file that won: its SHA-256 ("absent" when the release removed the file)
            superseded.put("by_shipped_sha256", f.supersededBySha256());
            body.put("superseded", superseded);
        });
        body.put("items", items);
        return body;
    }

    /** GET /api/v1/route-files/export — a ZIP of every current file, to commit to git. */
    public byte[] export(Exchange exchange) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int files = 0;
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            for (String path : revisions.allPaths()) {
                RouteRevisions.Effective file = revisions.effective(path);
                if (!file.exists()) {
                    continue;
                }
                zip.putNextEntry(new ZipEntry("routes/" + path));
                zip.write(file.content().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
                files++;
            }
        }
        audit.record(exchange, Principal.current(exchange).orElse(null), "route-files.export", "route-files",
                "success", 200, files + " files");
        exchange.setProperty(IdentityGuard.AUDITED, true);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/zip");
        exchange.getMessage().setHeader("Content-Disposition", "attachment; filename=\"routes.zip\"");
        return bytes.toByteArray();
    }

    // ---- internals ----

    private Map<String, Object> change(Exchange exchange, String path, RouteRevisions.Effective current,
            String content, String message, Integer restoredFrom, String action) {
        RouteFileValidator.Result result = validator.validate(path, content);
        if (!result.valid()) {
            throw invalid(path, result);
        }
        return store(exchange, path, current, content, message, restoredFrom, action);
    }

    private Map<String, Object> store(Exchange exchange, String path, RouteRevisions.Effective current,
            String content, String message, Integer restoredFrom, String action) {
        Principal who = Principal.current(exchange).orElse(null);
        RouteFileStore.Revision stored;
        try {
            stored = store.store(path, current.revision(), content, revisions.shippedSha(path), restoredFrom,
                    message, who == null ? "system" : who.id());
        } catch (RouteFileStore.StaleRevisionException e) {
            throw new ProblemException(Problem.of(ProblemType.PRECONDITION_FAILED, 412, e.getMessage()));
        }
        revisions.syncAll();
        RouteRevisions.Effective now = revisions.effective(path);
        audit.record(exchange, who, action, "route-file:" + path, "success", 200, "revision " + stored.revision()
                + (message == null ? "" : ": " + truncate(message, 200)));
        exchange.setProperty(IdentityGuard.AUDITED, true);
        exchange.getMessage().setHeader("ETag", now.etag());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("path", path);
        body.put("revision", stored.revision());
        body.put("origin", now.origin());
        body.put("routes", content == null ? List.of() : RouteFileValidator.routeIds(RouteFileValidator
                .parse(content).json()));
        body.put("instances", store.reports(ALIVE_SECONDS).stream().filter(r -> r.path().equals(path))
                .map(r -> {
                    Map<String, Object> i = new LinkedHashMap<>();
                    i.put("instance", r.instanceId());
                    i.put("revision", r.revision());
                    i.put("status", r.status());
                    i.put("error", r.error());
                    return i;
                }).toList());
        return body;
    }

    /** 428 when a required If-Match is missing, 412 when it does not name the current version. */
    private static void precondition(Exchange exchange, RouteRevisions.Effective current, boolean required) {
        String ifMatch = exchange.getMessage().getHeader("If-Match", String.class);
        if (ifMatch == null || ifMatch.isBlank()) {
            if (required) {
                throw new ProblemException(Problem.of(ProblemType.PRECONDITION_REQUIRED, 428, "Send If-Match with "
                        + "the ETag of the version you edited (GET /api/v1/route-files/content?path="
                        + current.path() + "), so nobody's change is overwritten unseen."));
            }
            return;
        }
        String wanted = current.etag();
        for (String tag : ifMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(wanted) || (t.equals("*") && current.exists())) {
                return;
            }
        }
        throw new ProblemException(Problem.of(ProblemType.PRECONDITION_FAILED, 412, "The file " + current.path()
                + " changed since you read it (now " + wanted + "); read it again and reapply your edit.")
                .with("current_etag", wanted).with("current_revision", current.revision()));
    }

    private RouteRevisions.Effective existing(String path) {
        RouteRevisions.Effective file = revisions.effective(path);
        if (!file.exists()) {
            throw ProblemException.notFound("No route file " + path + (file.revision() > 0 ? " (deleted in revision "
                    + file.revision() + ")." : "."));
        }
        return file;
    }

    private static String path(Exchange exchange) {
        String path = exchange.getMessage().getHeader("path", String.class);
        checkPath(path);
        return path;
    }

    private static void checkPath(String path) {
        String problem = RouteFileValidator.pathProblem(path);
        if (problem != null) {
            throw ProblemException.badRequest("path", problem);
        }
    }

    static ProblemException invalid(String path, RouteFileValidator.Result result) {
        List<Map<String, Object>> errors = result.errors().stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("line", e.line());
            m.put("column", e.column());
            m.put("message", e.message());
            return m;
        }).toList();
        RouteFileValidator.Error first = result.errors().get(0);
        return new ProblemException(Problem.of(ProblemType.INVALID_ROUTE_FILE, 422, path + (first.line() > 0
                ? ":" + first.line() + ":" + first.column() : "") + ": " + first.message()).with("errors", errors));
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
