package com.skyyrose.hub.gdpr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one declaration of the personal data the hub holds (GDPR Art. 30 record), read by export, erasure and
 * retention: every column of every table (personal or not, and how), every Redis key family, and per category its
 * purpose, recipients, source, legal basis and retention. {@code PersonalDataInventoryTest} fails when a migration
 * adds a column this class does not classify, so a new column cannot slip past the data subject rights.
 *
 * <p>How a table's rows belong to a person is an SQL predicate ({@link Table#ownerSql}) over the named parameters
 * {@code :uid} (hub user id), {@code :emails} (lower-cased e-mails), {@code :customers} ({@code source:id} of shop
 * customers) and {@code :orders} ({@code source:id} of their orders). Rows that merely <em>mention</em> the person
 * (a support run about a customer, a webhook payload with their address) are found by searching the
 * {@link ColumnClass#FREE_TEXT} columns for the person's e-mail and names.
 */
public final class PersonalDataInventory {

    /** How a column is treated. */
    public enum ColumnClass {
        /** Not personal data by itself (ids, timestamps, statuses, product data). Exported with the row for context. */
        NOT_PERSONAL,
        /** Personal data in clear. */
        PERSONAL,
        /** Personal data stored AES-256-GCM encrypted ({@code FieldCrypto}, AAD table/column/row id): decrypted on export. */
        ENCRYPTED,
        /** Text, JSON or raw bytes that may mention anyone: searched for the person, redacted on erasure. */
        FREE_TEXT,
        /** Secrets, password hashes, token material, key hashes: never exported. */
        SECRET
    }

    /** What erasure does to the rows that belong to the person. */
    public enum Erasure {
        DELETE,
        /** Personal columns overwritten (the row stays, it no longer relates to a person). */
        ANONYMISE,
        /** The row is kept for a legal reason, its personal columns overwritten; reported as kept, with the reason. */
        KEEP_ANONYMISED
    }

    /**
     * The LLM vendors, and what they receive: prompts with personal data pseudonymised before every vendor call
     * ({@code privacy/PersonalDataGuard}): names, e-mails, phones, addresses, order keys, card numbers and IBANs are
     * replaced by placeholders (policy {@code mask}, the default of {@code hub.privacy.providers}); in clear only to a
     * provider whose policy is {@code allow}; a provider with policy {@code refuse} gets no request holding any.
     */
    static final class Vendors {
        static final String MASKED = " (prompts pseudonymised: names, e-mails, phones, addresses, order keys, card "
                + "numbers and IBANs replaced by placeholders unless its policy HUB_PRIVACY_* is allow)";
        static final List<String> LLM = List.of("OpenAI" + MASKED, "Anthropic" + MASKED, "Google (Gemini)" + MASKED,
                "the configured OpenAI-compatible server" + MASKED);

        private Vendors() {
        }
    }

    /** A category of personal data, with the Art. 13/15(1) information and its retention. */
    public enum Category {
        ACCOUNT("Hub user account (e-mail, name, role)",
                "Sign-in to the hub and access control; attribution of changes to brand, knowledge, keys and credentials.",
                "Art. 6(1)(b) (employment / service contract), Art. 6(1)(f)",
                "Created by a hub administrator.", List.of(), null,
                "For as long as the account exists; erased on request."),
        SESSIONS("Login sessions and refresh tokens (Redis)",
                "Keeping a signed-in user signed in; revoking stolen tokens.", "Art. 6(1)(b)",
                "Created at each sign-in.", List.of(), null,
                "Until the refresh token expires (HUB_REFRESH_TOKEN_TTL, default 7 days) or the user signs out."),
        AUDIT("Audit log entries (actor, action, target, IP address, time)",
                "Security and accountability: who did what, when, from where.",
                "Art. 6(1)(c) and (f); kept after erasure under Art. 17(3)(b)/(e), de-identified",
                "Written by the hub on every sign-in and mutating call.", List.of(), 365, null),
        AGENT_RUNS("SuperAgent runs (task, answer, actions, trace)",
                "Running the task the user asked for and showing its result and trace.", "Art. 6(1)(b), 6(1)(f)",
                "Entered by hub users; may mention shop customers.",
                withShop(Vendors.LLM), 180, null),
        ROUND_TABLE("LLM round-table prompts and answers",
                "Answering the question asked; cost and quality figures per principal.", "Art. 6(1)(b), 6(1)(f)",
                "Entered by hub users or agents; may mention shop customers.",
                Vendors.LLM, 180, null),
        TOOL_JOBS("Virtual try-on and 3D jobs (images, prompts, results)",
                "Producing the try-on image or 3D model asked for.", "Art. 6(1)(b)",
                "Uploaded by hub users (photos of people for try-on).", List.of("FASHN (try-on)", "Tripo3D (3D)"), 30,
                null),
        WEBHOOK_PAYLOADS("Raw WooCommerce/WordPress webhook payloads (customer name, e-mail, addresses, orders)",
                "Keeping the hub's copy of the shop current; replay after failures.", "Art. 6(1)(b), 6(1)(f)",
                "Sent by the shop (WooCommerce) and the site (WordPress).", List.of(), null,
                "Payloads of settled events: HUB_WEBHOOKS_PAYLOAD_RETENTION (default 30 days); event metadata stays."),
        CUSTOMERS("Shop customers (e-mail, first name)",
                "Support and marketing agents' view of the customer.", "Art. 6(1)(b), 6(1)(f)",
                "Sent by the shop (WooCommerce webhooks and reconciliation).",
                Vendors.LLM, null,
                "While the customer exists in the shop; erased on request."),
        ORDERS("Shop orders (status, totals, customer id)",
                "Order status for agents; accounting.",
                "Art. 6(1)(b), 6(1)(c) (commercial and tax record-keeping); kept after erasure under Art. 17(3)(b)",
                "Sent by the shop (WooCommerce).", List.of(), 3650, null),
        CACHES("Cached answers and tool results (Redis)",
                "Answering identical requests again without a new vendor call.", "Art. 6(1)(f)",
                "Copies of round-table answers and agent tool results.", List.of(), null,
                "Minutes (HUB_LLM_CACHE_TTL, the agent's cache setting); cached values naming the person are dropped "
                        + "on erasure."),
        RATE_LIMITS("Rate-limit counters keyed by user, account hash or IP address (Redis)",
                "Protecting the hub against abuse.", "Art. 6(1)(f)", "Counted by the hub.", List.of(), null,
                "At most the limit's window (minutes)."),
        KNOWLEDGE("Brand knowledge documents (may mention people)",
                "Grounding answers in the brand's own documents.", "Art. 6(1)(f)",
                "Uploaded by editors; WordPress posts.", Vendors.LLM, null,
                "While the document is part of the knowledge base; mentions are redacted on erasure."),
        DATA_SUBJECT_REQUESTS("Data subject requests (exports, erasures)",
                "Answering Art. 15/17/20 requests and proving that they were answered.", "Art. 6(1)(c)",
                "Requested by the person or an administrator on their behalf.", List.of(), 365,
                "Export documents until their link expires (HUB_GDPR_EXPORT_TTL, default 7 days); the request "
                        + "record for 365 days (HUB_RETENTION_DATA_SUBJECT_REQUESTS_DAYS).");

        private static List<String> withShop(List<String> vendors) {
            List<String> out = new ArrayList<>(vendors);
            out.add("WooCommerce (the shop)");
            out.add("WordPress (the site)");
            return List.copyOf(out);
        }

        public final String description;
        public final String purpose;
        public final String legalBasis;
        public final String source;
        public final List<String> recipients;
        /** Default retention in days when a scheduled purge applies; null when the period is not a day count. */
        public final Integer defaultDays;
        private final String retentionText;

        Category(String description, String purpose, String legalBasis, String source, List<String> recipients,
                Integer defaultDays, String retentionText) {
            this.description = description;
            this.purpose = purpose;
            this.legalBasis = legalBasis;
            this.source = source;
            this.recipients = recipients;
            this.defaultDays = defaultDays;
            this.retentionText = retentionText;
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The environment variable that overrides the retention in days. */
        public String retentionEnv() {
            return "HUB_RETENTION_" + name() + "_DAYS";
        }

        public String retentionText(Integer days) {
            if (retentionText != null) {
                return retentionText;
            }
            return days + " days (" + retentionEnv() + ")";
        }
    }

    public record Column(String name, ColumnClass cls, String description) {
    }

    /**
     * Scheduled retention of a table: rows (or, with {@code purgeSet}, the personal columns of rows) whose
     * {@code timeColumn} is older than the category's retention, and that match {@code filter}.
     */
    public record Retention(String timeColumn, String filter, String purgeSet) {
    }

    /**
     * One table. {@code ownerSql} selects the rows that belong to a person (null: rows only mention people),
     * {@code anonymiseSet} is the SET clause used by ANONYMISE / KEEP_ANONYMISED ({@code :pseudonym} is a
     * per-erasure placeholder), {@code keepReason} says why kept rows are kept, {@code idColumn} is the row id
     * used as encryption context.
     */
    public record Table(String name, Category category, String idColumn, String ownerSql, Erasure erasure,
            String anonymiseSet, String keepReason, Retention retention, List<Column> columns) {

        public Optional<Column> column(String name) {
            return columns.stream().filter(c -> c.name().equals(name)).findFirst();
        }

        public List<Column> of(ColumnClass cls) {
            return columns.stream().filter(c -> c.cls() == cls).toList();
        }

        public boolean holdsPersonalData() {
            return ownerSql != null || columns.stream().anyMatch(c -> c.cls() != ColumnClass.NOT_PERSONAL
                    && c.cls() != ColumnClass.SECRET);
        }
    }

    /** How erasure finds a Redis key family's keys of a person. */
    public enum RedisErasure {
        /** All login sessions of the user and the user's session index (SessionStore.deleteAll). */
        SESSIONS,
        /** The key is the pattern with {@code {user}} replaced by the user id. */
        BY_USER_ID,
        /** The key is the pattern with {@code {account}} replaced by the keyed hash of the e-mail. */
        BY_ACCOUNT_HASH,
        /** Values are scanned; those naming the person (e-mail or name) are deleted. */
        SCAN_VALUES,
        /** Cannot be linked to a person (e.g. keyed by IP address) and expires within minutes. */
        EXPIRES,
        /** A setting of the hub, no one's data: nothing to erase. */
        NOT_PERSONAL
    }

    public record RedisFamily(String pattern, Category category, String content, RedisErasure erasure) {

        /** The glob for SCAN / the test's check that every live key belongs to a declared family. */
        public String glob() {
            return pattern.replaceAll("\\{[a-z]+}", "*");
        }
    }

    private static final Map<String, Table> TABLES = new LinkedHashMap<>();

    /**
     * Agent runs a webhook hand-off started for one of the person's orders (the task is her order note, run as the
     * service principal): hers, though no account of hers asked. Their round-table results are listed before the
     * runs, so they are found (and erased) while the runs still point at them.
     */
    static final String RUNS_FOR_HER_ORDERS = "trigger->>'kind' = 'webhook' AND (trigger->>'event_id')::bigint IN"
            + " (SELECT id FROM webhook_event WHERE resource = 'order' AND (source || ':' || resource_id) IN (:orders))";
    private static final List<RedisFamily> REDIS = new ArrayList<>();

    private static final String USER_ATTRIBUTION = "Change attribution of a hub user";
    private static final String LLM_FREE_TEXT = "free text sent to the LLM panel";

    static {
        // ---- identity and access (V10)
        table("hub_user", Category.ACCOUNT, "id", "id::text = :uid", Erasure.DELETE, null, null, null,
                plain("id", "role", "disabled", "created_at", "updated_at"),
                col("email_enc", ColumnClass.ENCRYPTED, "e-mail address"),
                col("email_hash", ColumnClass.PERSONAL, "keyed hash of the e-mail (sign-in lookup)"),
                col("display_name", ColumnClass.PERSONAL, "name"),
                col("password_hash", ColumnClass.SECRET, "Argon2id password hash"));
        table("api_key", Category.ACCOUNT, "id", "created_by = :uid", Erasure.ANONYMISE, "created_by = :pseudonym",
                null, null,
                plain("id", "name", "scopes", "rate_per_minute", "expires_at", "revoked_at", "last_used_at",
                        "created_at"),
                col("created_by", ColumnClass.PERSONAL, USER_ATTRIBUTION),
                col("secret_hash", ColumnClass.SECRET, "SHA-256 of the key"));
        // entries by the person, and others' entries about them (targets such as "PATCH /api/v1/users/<id>")
        table("audit_log", Category.AUDIT, "id", "actor = :uid OR strpos(target, :uid) > 0",
                Erasure.KEEP_ANONYMISED, "actor = CASE WHEN actor = :uid THEN :pseudonym ELSE actor END, "
                        + "ip = CASE WHEN actor = :uid THEN NULL ELSE ip END, "
                        + "target = replace(target, :uid, :pseudonym)",
                "Security audit trail (Art. 17(3)(b)/(e)): the entries stay, the actor is replaced by a pseudonym "
                        + "that no longer leads to the person and the IP address is removed.",
                new Retention("at", "TRUE", null),
                plain("id", "at", "actor_kind", "action", "outcome", "status", "request_id"),
                col("actor", ColumnClass.PERSONAL, "user id of who acted"),
                col("target", ColumnClass.PERSONAL, "what was acted on (may be a user)"),
                col("ip", ColumnClass.PERSONAL, "IP address"),
                col("detail", ColumnClass.FREE_TEXT, "free-text detail"));
        table("hub_credential", Category.ACCOUNT, "name", "updated_by = :uid", Erasure.ANONYMISE,
                "updated_by = :pseudonym", null, null,
                plain("name", "updated_at"),
                col("updated_by", ColumnClass.PERSONAL, USER_ATTRIBUTION),
                col("secret_enc", ColumnClass.SECRET, "third-party credential (encrypted)"));
        // ---- platform (V1)
        table("hub_instance", null, null, null, null, null, null, null,
                plain("instance_id", "version", "started_at", "last_seen_at"));
        // ---- keys that live with the data (V120)
        table("hub_keyring", null, null, null, null, null, null, null,
                plain("name", "created_at", "updated_at"),
                col("material", ColumnClass.SECRET, "hub keys (JWT keyset encrypted under HUB_MASTER_KEY)"));
        table("flyway_schema_history", null, null, null, null, null, null, null,
                plain("installed_rank", "version", "description", "type", "script", "checksum", "installed_by",
                        "installed_on", "execution_time", "success"));
        // ---- route files edited through the API (V95)
        table("route_file_revision", Category.ACCOUNT, "path", "created_by = :uid", Erasure.ANONYMISE,
                "created_by = :pseudonym", null, null,
                plain("path", "revision", "content", "content_sha256", "baseline_sha256", "restored_from",
                        "created_at"),
                col("created_by", ColumnClass.PERSONAL, USER_ATTRIBUTION),
                col("message", ColumnClass.FREE_TEXT, "change message"));
        table("route_file", null, null, null, null, null, null, null,
                plain("path", "current_revision", "superseded_at", "superseded_by_sha256", "updated_at"));
        table("route_file_instance", null, null, null, null, null, null, null,
                plain("instance_id", "path", "revision", "status", "error", "updated_at"));
        // ---- brand and knowledge (V20-V22)
        table("brand_context_version", Category.ACCOUNT, "version", "created_by = :uid", Erasure.ANONYMISE,
                "created_by = :pseudonym", null, null,
                plain("version", "document", "change_kind", "created_at"),
                col("created_by", ColumnClass.PERSONAL, USER_ATTRIBUTION),
                col("comment", ColumnClass.FREE_TEXT, "change comment"));
        table("knowledge_document", Category.ACCOUNT, "id", "created_by = :uid OR updated_by = :uid",
                Erasure.ANONYMISE, "created_by = CASE WHEN created_by = :uid THEN :pseudonym ELSE created_by END, "
                        + "updated_by = CASE WHEN updated_by = :uid THEN :pseudonym ELSE updated_by END",
                null, null,
                plain("id", "source_id", "content_type", "tags", "collection", "content_sha256", "chars",
                        "chunk_count", "revision", "created_at", "updated_at", "embedding_model"),
                col("title", ColumnClass.FREE_TEXT, "document title"),
                col("created_by", ColumnClass.PERSONAL, USER_ATTRIBUTION),
                col("updated_by", ColumnClass.PERSONAL, USER_ATTRIBUTION));
        table("knowledge_chunk", Category.KNOWLEDGE, "id", null, null, null, null, null,
                plain("id", "document_id", "ordinal", "tags", "collection", "e1", "e2", "e3", "e4", "embedding"),
                col("text", ColumnClass.FREE_TEXT, "document text"));
        table("knowledge_index_version", null, null, null, null, null, null, null, plain("id", "version"));
        table("knowledge_change", null, null, null, null, null, null, null,
                plain("version", "document_id", "changed_at"));
        // ---- tools (V30)
        table("tool_job", Category.TOOL_JOBS, "id", "principal_id = :uid", Erasure.DELETE, null, null,
                new Retention("created_at", "finished_at IS NOT NULL", null),
                plain("id", "kind", "vendor", "vendor_task_id", "status", "vendor_status", "progress", "polls",
                        "next_poll_at", "lease_until", "lease_owner", "created_at", "updated_at", "finished_at"),
                col("principal_id", ColumnClass.PERSONAL, "user id of who asked"),
                col("request", ColumnClass.FREE_TEXT, "images (photos of people) and prompts sent to the vendor"),
                col("result", ColumnClass.FREE_TEXT, "result images/models"),
                col("error", ColumnClass.FREE_TEXT, "vendor error"));
        // ---- webhooks (V40)
        table("webhook_event", Category.WEBHOOK_PAYLOADS, "id", null, null, null, null,
                new Retention("received_at", "status <> 'pending'", "payload = NULL, payload_purged_at = now()"),
                plain("id", "provider", "source", "origin", "topic", "resource", "resource_id", "webhook_id",
                        "delivery_id", "modified_gmt", "dedupe_key", "payload_sha256", "payload_purged_at",
                        "received_at", "status", "replay", "attempts", "next_attempt_at", "outcome", "processed_at"),
                col("headers", ColumnClass.FREE_TEXT, "delivery headers"),
                col("payload", ColumnClass.FREE_TEXT, "raw body: customer name, e-mail, billing/shipping addresses"),
                col("last_error", ColumnClass.FREE_TEXT, "processing error"));
        table("webhook_processed_key", null, null, null, null, null, null, null,
                plain("dedupe_key", "event_id", "processed_at"));
        table("webhook_reconcile_cursor", null, null, null, null, null, null, null,
                plain("source", "resource", "modified_gmt", "last_run_at"));
        table("wc_order", Category.ORDERS, null,
                "(source || ':' || customer_id) IN (:customers) OR (source || ':' || order_id) IN (:orders)",
                Erasure.KEEP_ANONYMISED, "customer_id = NULL",
                "Order records are kept for accounting and tax law (Art. 17(3)(b), e.g. 10 years under HGB §257 / "
                        + "AO §147): the hub's copy keeps status and totals and drops the link to the customer.",
                new Retention("updated_at", "TRUE", null),
                plain("source", "order_id", "status", "currency", "total", "line_items", "date_created_gmt",
                        "modified_gmt", "deleted", "deleted_gmt", "events_applied", "updated_at"),
                col("customer_id", ColumnClass.PERSONAL, "the shop's customer id"));
        table("wc_product", null, null, null, null, null, null, null,
                plain("source", "product_id", "name", "slug", "sku", "status", "price", "stock_status",
                        "stock_quantity", "permalink", "modified_gmt", "deleted", "deleted_gmt", "events_applied", "updated_at"));
        table("wc_customer", Category.CUSTOMERS, null, "lower(email) IN (:emails)", Erasure.DELETE, null, null, null,
                plain("source", "role", "modified_gmt", "deleted", "deleted_gmt", "events_applied", "updated_at"),
                col("customer_id", ColumnClass.PERSONAL, "the shop's customer id"),
                col("email", ColumnClass.PERSONAL, "e-mail address"),
                col("first_name", ColumnClass.PERSONAL, "first name"));
        table("wc_coupon", null, null, null, null, null, null, null,
                plain("source", "coupon_id", "code", "discount_type", "amount", "modified_gmt", "deleted", "deleted_gmt",
                        "events_applied", "updated_at"));
        table("wp_post", null, null, null, null, null, null, null,
                plain("source", "post_id", "post_type", "title", "status", "link", "modified_gmt", "deleted", "deleted_gmt",
                        "events_applied", "updated_at"));
        table("webhook_handoff", null, null, null, null, null, null, null,
                plain("id", "event_id", "target", "source", "topic", "resource", "resource_id", "status",
                        "created_at", "attempts", "next_attempt_at", "updated_at", "finished_at",
                        // a run id, document id or "removed"; an exception class and message (no payload text)
                        "outcome", "last_error"));
        // ---- commerce partners (V100)
        table("partner", Category.ACCOUNT, "id", "lower(contact_email) IN (:emails)", Erasure.ANONYMISE,
                "contact_email = :pseudonym", null, null,
                plain("id", "name", "status", "created_at", "updated_at", "deleted_at"),
                col("contact_email", ColumnClass.PERSONAL, "e-mail address of the partner's contact"));
        table("partner_api_key", null, null, null, null, null, null, null,
                plain("key_id", "partner_id", "created_at"));
        table("partner_product", null, null, null, null, null, null, null,
                plain("source", "product_id", "regular_price", "collections", "images", "stock_status",
                        "stock_quantity", "published", "updated_at"));
        table("partner_order", null, null, null, null, null, null, null,
                plain("source", "order_id", "partner_id", "status", "shipping", "date_completed_gmt", "updated_at"));
        table("partner_subscription", null, null, null, null, null, null, null,
                plain("id", "partner_id", "url", "topics", "previous_secret_until", "status", "disabled_reason",
                        "consecutive_dead", "created_at", "updated_at"),
                col("secret_enc", ColumnClass.SECRET, "signing secret (encrypted)"),
                col("previous_secret_enc", ColumnClass.SECRET, "previous signing secret (encrypted)"));
        // event bodies hold catalog items and order status/shipment, never customer data (PartnerApiTest)
        table("partner_event", null, null, null, null, null, null, null,
                plain("id", "topic", "resource_key", "partner_id", "body", "occurred_at"));
        table("partner_delivery", null, null, null, null, null, null, null,
                plain("id", "subscription_id", "event_id", "resource_key", "status", "attempts", "next_attempt_at",
                        "lease_until", "last_status_code", "last_latency_ms", "created_at", "delivered_at",
                        "lag_ms", "last_error"));
        table("partner_delivery_attempt", null, null, null, null, null, null, null,
                // errors are the hub's own text (HTTP status, exception class and message), never a receiver's body
                plain("delivery_id", "attempt", "at", "status_code", "latency_ms", "error"));
        // ---- round table (V50)
        table("round_table_result", Category.ROUND_TABLE, "id", "principal_id = :uid OR id IN (SELECT round_table_id"
                + " FROM agent_run WHERE " + RUNS_FOR_HER_ORDERS + ")", Erasure.DELETE, null, null,
                new Retention("created_at", "TRUE", null),
                plain("id", "created_at", "winner_provider", "winner_model", "method", "degraded", "total_latency_ms",
                        "input_tokens", "output_tokens", "cost_usd"),
                col("principal_id", ColumnClass.PERSONAL, "user id of who asked"),
                col("prompt", ColumnClass.FREE_TEXT, LLM_FREE_TEXT),
                col("response", ColumnClass.FREE_TEXT, "the answer document"));
        table("round_table_candidate", Category.ROUND_TABLE, null,
                "result_id IN (SELECT id FROM round_table_result WHERE principal_id = :uid)", Erasure.DELETE, null,
                null, null,
                plain("result_id", "position", "provider", "model", "latency_ms", "input_tokens", "output_tokens",
                        "cost_usd", "score", "scores", "created_at"),
                col("text", ColumnClass.FREE_TEXT, "a provider's answer"),
                col("error", ColumnClass.FREE_TEXT, "a provider's error"));
        // ---- OpenAI-compatible API usage (V110)
        table("llm_usage", Category.ROUND_TABLE, "id", "principal_id = :uid", Erasure.DELETE, null, null,
                new Retention("created_at", "TRUE", null),
                plain("id", "principal_kind", "model", "provider", "input_tokens", "output_tokens", "cost_usd",
                        "round_table_id", "agent_run_id", "created_at"),
                col("principal_id", ColumnClass.PERSONAL, "user id or API key id of who asked"));
        // ---- agents (V60)
        table("agent_run", Category.AGENT_RUNS, "id", "principal_id = :uid OR (" + RUNS_FOR_HER_ORDERS + ")",
                Erasure.DELETE, null, null,
                new Retention("created_at", "status NOT IN ('queued', 'running')", null),
                plain("id", "agent_id", "status", "request_hash", "idempotency_key", "round_table_id", "cost_usd",
                        "duration_ms", "instance_id", "created_at", "updated_at", "finished_at",
                        "trace_id", "trigger"), // {kind, event_id, topic, handoff_id}: ids only
                col("principal_id", ColumnClass.PERSONAL, "user id of who asked"),
                col("task", ColumnClass.FREE_TEXT, LLM_FREE_TEXT),
                col("request", ColumnClass.FREE_TEXT, "the run request"),
                col("answer", ColumnClass.FREE_TEXT, "the agent's answer"),
                col("escalation", ColumnClass.FREE_TEXT, "escalation to a person"),
                col("actions", ColumnClass.FREE_TEXT, "tool calls and their results (may hold order/customer data)"),
                col("trace", ColumnClass.FREE_TEXT, "timed trace of the steps"),
                col("error", ColumnClass.FREE_TEXT, "failure reason"));
        // ---- the Support escalation queue (V61): the customer's words stay in agent_run.task; operators are named
        table("agent_escalation", Category.AGENT_RUNS, "id", "claimed_by = :uid OR resolved_by = :uid",
                Erasure.ANONYMISE, "claimed_by = CASE WHEN claimed_by = :uid THEN :pseudonym ELSE claimed_by END, "
                        + "resolved_by = CASE WHEN resolved_by = :uid THEN :pseudonym ELSE resolved_by END",
                null, null,
                plain("id", "run_id", "agent_id", "queue", "rule", "status", "claimed_at", "resolved_at",
                        "created_at", "updated_at"),
                col("claimed_by", ColumnClass.PERSONAL, "user id of the operator who took the case"),
                col("resolved_by", ColumnClass.PERSONAL, "user id of the operator who closed the case"),
                col("facts", ColumnClass.FREE_TEXT, "what the escalation rule decided on (order total, parcel age)"),
                col("resolution", ColumnClass.FREE_TEXT, "the operator's note (may mention the customer)"));
        // ---- data subject requests (V70)
        table("gdpr_export", Category.DATA_SUBJECT_REQUESTS, "id",
                "subject_hash = :subject_hash OR requested_by = :uid OR subject_user_id = :uid", Erasure.DELETE,
                null, null, new Retention("created_at", "status NOT IN ('queued', 'running')", null),
                plain("id", "status", "progress", "attempts", "instance_id", "lease_until", "error", "record_count",
                        "created_at", "started_at", "finished_at", "expires_at", "scope"),
                col("subject_hash", ColumnClass.PERSONAL, "keyed hash of the subject's e-mail"),
                col("subject_enc", ColumnClass.ENCRYPTED, "the subject's e-mail"),
                col("subject_user_id", ColumnClass.PERSONAL, "the subject's user id"),
                col("names_enc", ColumnClass.ENCRYPTED, "names searched for"),
                col("requested_by", ColumnClass.PERSONAL, "user id of the requester"),
                col("document_enc", ColumnClass.SECRET, "the export itself (encrypted; delivered by its own link)"));
        table("gdpr_erasure", Category.DATA_SUBJECT_REQUESTS, "id", "requested_by = :uid", Erasure.KEEP_ANONYMISED,
                "requested_by = :pseudonym",
                "Proof that an erasure was carried out (Art. 5(2) accountability): it names the subject only by the "
                        + "keyed hash of the e-mail and holds counts, no personal data.",
                new Retention("created_at", "TRUE", null),
                plain("id", "result", "created_at"),
                col("subject_hash", ColumnClass.PERSONAL, "keyed hash of the erased subject's e-mail"),
                col("requested_by", ColumnClass.PERSONAL, "user id of the administrator"));

        // ---- Redis
        REDIS.add(new RedisFamily("hub:auth:session:{session}", Category.SESSIONS,
                "user id, role, hashes of the current and replaced refresh tokens", RedisErasure.SESSIONS));
        REDIS.add(new RedisFamily("hub:auth:user-sessions:{user}", Category.SESSIONS, "the user's session ids",
                RedisErasure.SESSIONS));
        REDIS.add(new RedisFamily("hub:auth:login-lock:{account}", Category.RATE_LIMITS,
                "temporary sign-in lock of an account (keyed hash of the e-mail)", RedisErasure.BY_ACCOUNT_HASH));
        REDIS.add(new RedisFamily("ratelimit:login-fail:{account}", Category.RATE_LIMITS,
                "failed sign-ins of an account (keyed hash of the e-mail)", RedisErasure.BY_ACCOUNT_HASH));
        REDIS.add(new RedisFamily("hub:auth:login-lock:{account}:{ip}", Category.RATE_LIMITS,
                "temporary sign-in delay of an account from one client address", RedisErasure.BY_ACCOUNT_HASH));
        REDIS.add(new RedisFamily("hub:auth:login-fail:{account}:{ip}", Category.RATE_LIMITS,
                "failed sign-ins of an account from one client address", RedisErasure.BY_ACCOUNT_HASH));
        REDIS.add(new RedisFamily("ratelimit:principal:{user}", Category.RATE_LIMITS, "requests of a user or key",
                RedisErasure.BY_USER_ID));
        REDIS.add(new RedisFamily("ratelimit:login-ip:{ip}", Category.RATE_LIMITS, "sign-in attempts per IP address",
                RedisErasure.EXPIRES));
        REDIS.add(new RedisFamily("ratelimit:tool:{tool}:{user}", Category.RATE_LIMITS,
                "tool calls per user or key", RedisErasure.BY_USER_ID));
        REDIS.add(new RedisFamily("hub:round-table:cache:{hash}", Category.CACHES,
                "a round-table answer document (may repeat what the prompt said about a person)",
                RedisErasure.SCAN_VALUES));
        REDIS.add(new RedisFamily("hub:agent:cache:{agent}:{tool}:{hash}", Category.CACHES,
                "an agent's read-only tool result (e.g. an order with the customer's address)",
                RedisErasure.SCAN_VALUES));
        REDIS.add(new RedisFamily("hub:auth:key-used:{key}", null, "API key last-used throttle (no personal data)",
                RedisErasure.EXPIRES));
        REDIS.add(new RedisFamily("hub:partner:requests:{partner}:{hour}", null,
                "a partner's API request count per hour (no personal data; TTL 25 h)", RedisErasure.EXPIRES));
        REDIS.add(new RedisFamily("hub:assistants:tpm:{user}:{minute}", Category.RATE_LIMITS,
                "tokens a user or key used through /v1 and MCP in one minute (budgets)", RedisErasure.BY_USER_ID));
        REDIS.add(new RedisFamily("hub:assistants:spend:{user}:{month}", Category.RATE_LIMITS,
                "USD a user or key spent through /v1 and MCP in one month (budgets)", RedisErasure.BY_USER_ID));
        REDIS.add(new RedisFamily("hub:tracing:recording", null,
                "whether the instances record spans (\"on\" or \"off\"; observability/TracingSwitch)",
                RedisErasure.NOT_PERSONAL));
    }

    private PersonalDataInventory() {
    }

    public static Map<String, Table> tables() {
        return TABLES;
    }

    public static Table table(String name) {
        return TABLES.get(name);
    }

    /** Tables that hold personal data, in erasure order (children before parents is not needed: no FK blocks). */
    public static List<Table> personalTables() {
        return TABLES.values().stream().filter(Table::holdsPersonalData).toList();
    }

    public static List<RedisFamily> redisFamilies() {
        return REDIS;
    }

    /** Every column classified NOT_PERSONAL, as {@code table.column}. */
    public static List<String> notPersonalColumns() {
        List<String> out = new ArrayList<>();
        TABLES.values().forEach(t -> t.columns().stream().filter(c -> c.cls() == ColumnClass.NOT_PERSONAL)
                .forEach(c -> out.add(t.name() + "." + c.name())));
        return out;
    }

    // ---- declaration helpers

    private static void table(String name, Category category, String idColumn, String ownerSql, Erasure erasure,
            String anonymiseSet, String keepReason, Retention retention, Object... columns) {
        List<Column> list = new ArrayList<>();
        for (Object c : columns) {
            if (c instanceof Column column) {
                list.add(column);
            } else {
                @SuppressWarnings("unchecked")
                List<Column> many = (List<Column>) c;
                list.addAll(many);
            }
        }
        TABLES.put(name, new Table(name, category, idColumn, ownerSql, erasure, anonymiseSet, keepReason, retention,
                List.copyOf(list)));
    }

    private static Column col(String name, ColumnClass cls, String description) {
        return new Column(name, cls, description);
    }

    private static List<Column> plain(String... names) {
        List<Column> out = new ArrayList<>();
        for (String n : names) {
            out.add(new Column(n, ColumnClass.NOT_PERSONAL, null));
        }
        return out;
    }
}
