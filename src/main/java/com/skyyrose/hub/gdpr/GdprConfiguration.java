package com.skyyrose.hub.gdpr;

import com.skyyrose.hub.security.EncryptedColumn;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The GDPR tables' encrypted columns take part in data-key rotation (POST /api/v1/admin/re-encrypt). */
@Configuration
class GdprConfiguration {

    @Bean
    EncryptedColumn gdprExportSubjectColumn() {
        return new EncryptedColumn("gdpr_export", "id", "subject_enc");
    }

    @Bean
    EncryptedColumn gdprExportNamesColumn() {
        return new EncryptedColumn("gdpr_export", "id", "names_enc");
    }

    @Bean
    EncryptedColumn gdprExportDocumentColumn() {
        return new EncryptedColumn("gdpr_export", "id", "document_enc");
    }
}
