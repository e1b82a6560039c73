package com.skyyrose.hub.knowledge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/** Drops this instance's cached brand context whenever any instance announces a new version on Redis. */
@Configuration(proxyBeanMethods = false)
public class KnowledgeConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(KnowledgeConfiguration.class);

    @Bean
    RedisMessageListenerContainer brandContextListener(RedisConnectionFactory redis, BrandContextService brand) {
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(redis);
        container.addMessageListener((message, pattern) -> {
            LOG.debug("brand context version {} announced; dropping the cache", new String(message.getBody()));
            brand.invalidate();
        }, new ChannelTopic(BrandContextService.CHANNEL));
        // keep starting when Redis is briefly away; the cache max age covers missed messages
        container.setRecoveryInterval(2000);
        return container;
    }
}
