package com.skyyrose.hub.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime's JVM shutdown hook released its environment while the JVM exited, concurrently with Spring's
 * shutdown: an embedding model loading or running at that moment crashed the JVM in libonnxruntime.so (seen at the
 * end of a test JVM: the start-up warm-up's embedding, SpringApplicationShutdownHook still running). Once the hub has
 * loaded its model, that hook must be gone (this fails without {@code --add-opens java.base/java.lang}, which the
 * test JVMs and the jar's manifest carry, or if the hook is not found).
 */
class OnnxRuntimeExitTest {

    @Test
    void onceTheModelIsLoadedNoHookReleasesOnnxRuntimeAtExit() throws Exception {
        new Embedder(1, 1, Embedder.INT8).embed("a shoe made of black rose leather");
        assertThat(OnnxRuntimeExit.closerHooks()).isEmpty();
        ai.onnxruntime.OrtEnvironment.getEnvironment();
        assertThat(OnnxRuntimeExit.closerHooks()).as("the environment is one per JVM: no second hook").isEmpty();
    }
}
