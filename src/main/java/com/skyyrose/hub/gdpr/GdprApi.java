package com.skyyrose.hub.gdpr;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Page;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.api.Requests;
import com.skyyrose.hub.security.AuditLog;
import com.skyyrose.hub.security.IdentityGuard;
import com.skyyrose.hub.security.Ownership;
import com.skyyrose.hub.security.Principal;
import com.skyyrose.hub.security.UserService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The data subject operations (routes/gdpr/gdpr-api.camel.yaml). Who may do what:
 * <ul>
 * <li>every signed-in user may export their own data (no e-mail, or their own): a self-export searches only
 * with the account's own identifiers ({@link DataSubjects#resolveAccount}); {@code names} there answer 403;</li>
 * <li>exporting anyone else (a shop customer or another user, by e-mail) needs {@value #EXPORT_OTHERS}, and erasure
 * needs {@value #ERASE}: both admin-only ({@code gdpr} is an admin-only resource in Permissions);</li>
 * <li>an export is visible and downloadable only by whoever requested it, or a holder of {@code records:read-all}
 * (admins): anyone else gets 404 ({@link Ownership});</li>
 * <li>nobody erases themselves through the API: erasing an account is done by another administrator, who checks
 * the request and any legal hold first (and an administrator cannot lock themselves out by mistake).</li>
 * </ul>
 */
@Component("gdprApi")
public class GdprApi {

    public static final String EXPORT_OTHERS = "gdpr:export";
    public static final String ERASE = "gdpr:erase";
    private static final String BASE = "/api/v1/gdpr/exports/";

    private final GdprExports exports;
    private final GdprErasure erasure;
    private final GdprRetention retention;
    private final DataSubjects subjects;
    private final UserService users;
    private final AuditLog audit;
    private final ObjectMapper json;

    public GdprApi(GdprExports exports, GdprErasure erasure, GdprRetention retention, DataSubjects subjects,
            UserService users, AuditLog audit, ObjectMapper json) {
        this.exports = exports;
        this.erasure = erasure;
        this.retention = retention;
        this.subjects = subjects;
        this.users = users;
        this.audit = audit;
        this.json = json;
    }

    /** POST /api/v1/gdpr/export → 202 + Location of the job. */
    public ExportView requestExport(Exchange exchange) throws Exception {
        Principal p = principal(exchange);
        JsonNode body = body(exchange);
        String email = body.hasNonNull("email") ? UserService.normaliseEmail(body.get("email").asText()) : null;
        UserService.User self = p.kind() == Principal.Kind.USER ? users.find(p.id()) : null;
        String subjectUserId;
        List<String> names = names(body);
        if (!p.has(EXPORT_OTHERS) && !names.isEmpty()) {
            // names widen the search to free text anywhere (other people's runs, webhook payloads): not for a self-export
            audit.record(exchange, p, "gdpr.export.request", "gdpr-export:names", "denied", 403,
                    "names in a self-export");
            exchange.setProperty(IdentityGuard.AUDITED, true);
            throw new ProblemException(Problem.of(ProblemType.FORBIDDEN, 403, "A self-export covers what the hub "
                    + "holds about your account; searching for names needs '" + EXPORT_OTHERS + "'.")
                    .withErrors(List.of(new Problem.FieldError("names", "needs " + EXPORT_OTHERS))));
        }
        if (email == null || (self != null && email.equals(self.email()))) {
            if (self == null) {
                throw ProblemException.badRequest("email", "is required: an API key is not a person; name the "
                        + "data subject by e-mail");
            }
            email = self.email();
            subjectUserId = self.id();
        } else {
            if (!p.has(EXPORT_OTHERS)) {
                audit.record(exchange, p, "gdpr.export.request", subjects.reference(email), "denied", 403,
                        "export of another person");
                exchange.setProperty(IdentityGuard.AUDITED, true);
                throw new ProblemException(Problem.of(ProblemType.FORBIDDEN, 403,
                        "You may export your own data only; exporting someone else's needs '" + EXPORT_OTHERS + "'."));
            }
            UserService.User user = users.findByEmail(email);
            subjectUserId = user == null ? null : user.id();
        }
        GdprExports.Job job = exports.create(email, subjectUserId, names, p.id(),
                p.has(EXPORT_OTHERS) ? GdprExports.Scope.FULL : GdprExports.Scope.SELF);
        audit.record(exchange, p, "gdpr.export.request", subjects.reference(email), "success", 202, "export "
                + job.id());
        exchange.setProperty(IdentityGuard.AUDITED, true);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        exchange.getMessage().setHeader("Location", BASE + job.id());
        return view(job);
    }

    /** GET /api/v1/gdpr/exports: the caller's own (see {@link Ownership}); paginated with X-Total-Count. */
    public Map<String, Object> listExports(Exchange exchange) {
        Ownership.Filter owner = owned(principal(exchange));
        int limit = Requests.intParam(exchange, "limit", 20);
        int offset = Requests.intParam(exchange, "offset", 0);
        List<ExportView> items = new ArrayList<>();
        exports.list(owner, limit, offset).forEach(j -> items.add(view(j)));
        long total = exports.count(owner);
        return Page.of(exchange, items, total, limit, offset);
    }

    public ExportView getExport(Exchange exchange) {
        return view(visibleJob(exchange));
    }

    /** GET /api/v1/gdpr/exports/{exportId}/download?format=json|zip&token=…: the requester or an admin only. */
    public byte[] download(Exchange exchange) throws Exception {
        Principal p = principal(exchange);
        GdprExports.Job job = visibleJob(exchange);
        String format = exchange.getMessage().getHeader("format", "json", String.class);
        String token = exchange.getMessage().getHeader("token", String.class);
        if ("expired".equals(job.status())) {
            throw new ProblemException(Problem.of(ProblemType.GONE, 410,
                    "This export's download link has expired; request a new export."));
        }
        if (!"succeeded".equals(job.status())) {
            throw new ProblemException(Problem.of(ProblemType.CONFLICT, 409,
                    "The export is " + job.status() + "; it can be downloaded once it has succeeded."));
        }
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                exports.linkToken(job).getBytes(StandardCharsets.UTF_8))) {
            audit.record(exchange, p, "gdpr.export.download", "gdpr-export:" + job.id(), "denied", 403, "bad token");
            throw new ProblemException(Problem.of(ProblemType.FORBIDDEN, 403,
                    "The download link is not valid for this export."));
        }
        String document = exports.document(job.id());
        if (document == null) {
            throw new ProblemException(Problem.of(ProblemType.GONE, 410, "This export is no longer available."));
        }
        audit.record(exchange, p, "gdpr.export.download", "gdpr-export:" + job.id(), "success", 200, format);
        String name = "gdpr-export-" + job.id();
        if ("zip".equals(format)) {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/zip");
            exchange.getMessage().setHeader("Content-Disposition", "attachment; filename=\"" + name + ".zip\"");
            exchange.getMessage().setHeader("Cache-Control", "no-store");
            return exports.zip(job.id(), document);
        }
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setHeader("Content-Disposition", "attachment; filename=\"" + name + ".json\"");
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        return document.getBytes(StandardCharsets.UTF_8);
    }

    /** POST /api/v1/gdpr/erasure (admin). */
    public Map<String, Object> erase(Exchange exchange) throws Exception {
        Principal p = principal(exchange);
        JsonNode body = body(exchange);
        String email = UserService.normaliseEmail(body.path("email").asText(""));
        DataSubject subject = subjects.resolve(email, names(body));
        if (p.id().equals(subject.userId())) {
            throw new ProblemException(Problem.of(ProblemType.CONFLICT, 409,
                    "You cannot erase your own account; another administrator must do it."));
        }
        Map<String, Object> result = erasure.erase(subject, p.id());
        // the audit entry names the person only by the keyed hash of the e-mail, never the e-mail itself
        audit.record(exchange, p, "gdpr.erasure", subject.reference(), "success", 200, "erasure " + result.get("id"));
        exchange.setProperty(IdentityGuard.AUDITED, true);
        return result;
    }

    public Map<String, Object> retentionPolicy() {
        return retention.policy();
    }

    // ---- helpers

    private GdprExports.Job visibleJob(Exchange exchange) {
        GdprExports.Job job = exports.find(exchange.getMessage().getHeader("exportId", String.class),
                owned(principal(exchange)));
        // someone else's export is reported as missing, not as forbidden: its existence is nobody else's business
        if (job == null) {
            throw ProblemException.notFound("No such export.");
        }
        return job;
    }

    /** Exports are their requester's: only the requester, or a holder of records:read-all, sees one. */
    private static Ownership.Filter owned(Principal p) {
        return Ownership.of(p, "requested_by");
    }

    /** An export job as the API shows it: every field always present (null when not known yet). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ExportView(String id, String status, int progress, String subject,
            @JsonProperty("requested_by") String requestedBy, @JsonProperty("created_at") String createdAt,
            @JsonProperty("finished_at") String finishedAt, @JsonProperty("expires_at") String expiresAt,
            Links links, String error) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Links(String json, String zip) {
    }

    ExportView view(GdprExports.Job job) {
        Links links = new Links(null, null);
        if ("succeeded".equals(job.status())) {
            String token = exports.linkToken(job);
            links = new Links(BASE + job.id() + "/download?format=json&token=" + token,
                    BASE + job.id() + "/download?format=zip&token=" + token);
        }
        return new ExportView(job.id(), job.status(), job.progress(), job.subject(), job.requestedBy(),
                text(job.createdAt()), text(job.finishedAt()), text(job.expiresAt()), links, job.error());
    }

    private static String text(Object instant) {
        return instant == null ? null : instant.toString();
    }

    private JsonNode body(Exchange exchange) throws Exception {
        byte[] bytes = exchange.getMessage().getBody(byte[].class);
        if (bytes == null || bytes.length == 0) {
            return json.createObjectNode();
        }
        return json.readTree(bytes);
    }

    private static List<String> names(JsonNode body) {
        List<String> names = new ArrayList<>();
        body.path("names").forEach(n -> names.add(n.asText()));
        return names;
    }

    private static Principal principal(Exchange exchange) {
        return Principal.current(exchange).orElseThrow(() -> new IllegalStateException("no principal"));
    }
}
