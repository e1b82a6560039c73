package com.skyyrose.hub.privacy;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds {@code hub.privacy.*} ({@link PrivacyProperties}). */
@Configuration
@EnableConfigurationProperties(PrivacyProperties.class)
public class PrivacyConfiguration {
}
