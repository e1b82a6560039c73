package com.skyyrose.hub.tools;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.nio.entity.DiscardingEntityConsumer;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * POSTs to user-supplied URLs (after {@link SsrfGuard#check}) with every connection's address validated when it is
 * made: the connection manager resolves host names only through {@link SsrfGuard#connectTimeResolver}, so a DNS answer
 * that changes between the check and the connection (DNS rebinding) cannot point a request at an internal address.
 * Non-blocking (one I/O thread), pooled, no redirects, no automatic retries, response bodies discarded.
 */
public final class GuardedHttp implements AutoCloseable {

    private final CloseableHttpAsyncClient client;

    public GuardedHttp(DnsResolver resolver, Duration connectTimeout, int maxConnections) {
        this.client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create().setDnsResolver(resolver)
                        .setMaxConnTotal(maxConnections).setMaxConnPerRoute(maxConnections)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(connectTimeout)).build())
                        .build())
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
                .build();
        client.start();
    }

    /** The status code of the answer, or the failure (connection, refused address, timeout). */
    public CompletableFuture<Integer> post(URI uri, Map<String, String> headers, String json, Duration timeout) {
        SimpleRequestBuilder request = SimpleRequestBuilder.post(uri)
                .setBody(json, ContentType.APPLICATION_JSON)
                .setRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(timeout)).build());
        headers.forEach(request::addHeader);
        CompletableFuture<Integer> status = new CompletableFuture<>();
        client.execute(SimpleRequestProducer.create(request.build()),
                new BasicResponseConsumer<Void>(new DiscardingEntityConsumer<>()),
                new FutureCallback<Message<HttpResponse, Void>>() {
                    @Override
                    public void completed(Message<HttpResponse, Void> response) {
                        status.complete(response.getHead().getCode());
                    }

                    @Override
                    public void failed(Exception error) {
                        status.completeExceptionally(error);
                    }

                    @Override
                    public void cancelled() {
                        status.cancel(false);
                    }
                });
        return status;
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }
}
