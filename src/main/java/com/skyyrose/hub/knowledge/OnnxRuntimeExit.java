package com.skyyrose.hub.knowledge;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back ONNX Runtime's JVM shutdown hook. Its Java binding frees the native environment from a hook of its own
 * ({@code OrtEnvironment$OrtEnvCloser}); the JVM runs all hooks at once, so during Spring's graceful shutdown an
 * embedding still in flight (a search, a round table's scoring, the model loading just after start) ran on freed
 * memory and the JVM died (SIGSEGV in libonnxruntime.so: in the start-up bench, and at the end of a test JVM).
 * Without the hook nothing frees the environment: the process exit does, after every thread has stopped.
 * <p>
 * The JVM keeps its hooks in a private map of {@code java.lang}: reading it needs
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}, which the jar's manifest ({@code Add-Opens}, honoured by
 * {@code java -jar}) and the test JVMs carry. Without it the hook stays, with a warning.
 */
final class OnnxRuntimeExit {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeExit.class);
    private static final String CLOSER = "ai.onnxruntime.OrtEnvironment$OrtEnvCloser";

    private OnnxRuntimeExit() {
    }

    /** Removes every registered hook that runs ONNX Runtime's closer; returns how many (0 with a warning if it cannot). */
    static int removeCloserHooks() {
        List<Thread> closers;
        try {
            closers = closerHooks();
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("ONNX Runtime's shutdown hook stays (run with --add-opens java.base/java.lang=ALL-UNNAMED to "
                    + "remove it): an embedding in flight during shutdown may crash the JVM ({})", e.toString());
            return 0;
        }
        int removed = 0;
        for (Thread hook : closers) {
            try {
                if (Runtime.getRuntime().removeShutdownHook(hook)) {
                    removed++;
                }
            } catch (IllegalStateException exiting) {
                return removed;
            }
        }
        return removed;
    }

    /** The registered hooks whose task is ONNX Runtime's closer (empty once the JVM is exiting). */
    static List<Thread> closerHooks() throws ReflectiveOperationException {
        Class<?> hooks = Class.forName("java.lang.ApplicationShutdownHooks");
        Field registered = hooks.getDeclaredField("hooks");
        registered.setAccessible(true);
        Field target = Thread.class.getDeclaredField("target");
        target.setAccessible(true);
        List<Thread> closers = new ArrayList<>();
        synchronized (hooks) { // the JDK adds and removes hooks holding this lock
            Map<?, ?> map = (Map<?, ?>) registered.get(null);
            if (map == null) {
                return closers;
            }
            for (Object hook : map.keySet()) {
                Object task = target.get(hook);
                if (task != null && CLOSER.equals(task.getClass().getName())) {
                    closers.add((Thread) hook);
                }
            }
        }
        return closers;
    }
}
