-- A self-export (a caller without gdpr:export asking for their own data) searches only for what the hub knows of
-- the account (its e-mail and name); a full export (gdpr:export) also for names given in the request and names
-- found in webhook payloads. The worker reads the scope the request was made with.
ALTER TABLE gdpr_export ADD COLUMN scope TEXT NOT NULL DEFAULT 'full' CHECK (scope IN ('self', 'full'));
