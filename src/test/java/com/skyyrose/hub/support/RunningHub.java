package com.skyyrose.hub.support;

import com.skyyrose.hub.HubApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A whole hub started in-process with command-line style settings, for tests that need their own configuration
 * (embedded mode, a Redis of their own, a temporary routes folder) and to stop and start it.
 */
public final class RunningHub implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final TestHttp http;

    private RunningHub(ConfigurableApplicationContext context) {
        this.context = context;
        this.http = new TestHttp("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
    }

    /** Starts a hub; each argument is {@code NAME=value}. Port is random unless given. */
    public static RunningHub start(String... settings) {
        List<String> args = new ArrayList<>();
        args.add("--server.port=0");
        for (String setting : settings) {
            args.add("--" + setting);
        }
        return new RunningHub(new SpringApplicationBuilder(HubApplication.class).run(args.toArray(String[]::new)));
    }

    public TestHttp http() {
        return http;
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    /** Polls until the reply satisfies the condition, or fails with the last reply. */
    public TestHttp.Reply await(String path, Predicate<TestHttp.Reply> condition, Duration timeout) {
        return await(path, new String[0], condition, timeout);
    }

    /** Polls with these request headers (e.g. {@code TestAuth.admin(hub.http())}). */
    public TestHttp.Reply await(String path, String[] headers, Predicate<TestHttp.Reply> condition,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        TestHttp.Reply last = null;
        while (System.nanoTime() < deadline) {
            last = http.get(path, headers);
            if (condition.test(last)) {
                return last;
            }
            sleep(100);
        }
        throw new AssertionError("condition not met within " + timeout + "; last reply " + (last == null ? "none"
                : last.status() + " " + last.body()));
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
