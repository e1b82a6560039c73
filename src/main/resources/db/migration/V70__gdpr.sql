-- Data subject requests (com.skyyrose.hub.gdpr). What the hub holds about people is declared once in
-- gdpr/PersonalDataInventory; these tables record the export jobs and erasures run against it.

-- Export jobs (Art. 15/20): several instances share them; a worker claims a queued job (or one whose lease ran out
-- because its instance died) with FOR UPDATE SKIP LOCKED. The document holds personal data: AES-256-GCM encrypted
-- (FieldCrypto, AAD gdpr_export/document_enc/id), dropped when the download link expires.
CREATE TABLE gdpr_export (
    id                  UUID PRIMARY KEY,
    subject_hash        TEXT NOT NULL,          -- keyed hash of the subject's e-mail (HUB_INDEX_KEY)
    subject_enc         TEXT NOT NULL,          -- the subject's e-mail, encrypted (AAD gdpr_export/subject_enc/id)
    subject_user_id     TEXT,                   -- the hub user, when the subject has an account
    names_enc           TEXT,                   -- extra names to search for, encrypted JSON array
    requested_by        TEXT NOT NULL,          -- principal id of the requester
    status              TEXT NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'expired')),
    progress            INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    attempts            INTEGER NOT NULL DEFAULT 0,
    instance_id         TEXT,
    lease_until         TIMESTAMPTZ,
    error               TEXT,
    document_enc        TEXT,
    record_count        INTEGER,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at          TIMESTAMPTZ,
    finished_at         TIMESTAMPTZ,
    expires_at          TIMESTAMPTZ
);
CREATE INDEX gdpr_export_due ON gdpr_export (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX gdpr_export_requester ON gdpr_export (requested_by, created_at DESC);
CREATE INDEX gdpr_export_subject ON gdpr_export (subject_hash);

-- Erasures (Art. 17): proof that a request was carried out, without the person's data: the subject appears only as
-- the keyed hash of the e-mail (so a later question "was X erased?" can be answered), the result holds counts.
CREATE TABLE gdpr_erasure (
    id           UUID PRIMARY KEY,
    subject_hash TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    result       JSONB NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX gdpr_erasure_subject ON gdpr_erasure (subject_hash);
