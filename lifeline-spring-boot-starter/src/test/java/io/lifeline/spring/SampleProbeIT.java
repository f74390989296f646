package io.lifeline.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.spring.RunningApp.Container;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code lifeline probe}, the hub's probe for any SSE server, run as a user runs it against the sample application
 * ({@link io.lifeline.spring.sample.EmittersApplication}): exit status 0 (every departure noticed) with the starter,
 * 1 (a departure leaks) without it.
 */
class SampleProbeIT {

    private static final String JAR = System.getProperty("lifeline.server.jar");

    @ParameterizedTest
    @EnumSource(Container.class)
    void theProbeFindsEveryDepartureNoticedWithTheStarter(Container container) throws Exception {
        try (RunningApp app = RunningApp.emitters(container)) {
            Result result = probe(app.port());
            assertEquals(0, result.status, result.output);
            assertTrue(result.output.contains("noticed"), result.output);
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void theProbeFindsTheFinLeakingWithoutIt(Container container) throws Exception {
        try (RunningApp app = RunningApp.emitters(container, "lifeline.watch.enabled=false")) {
            Result result = probe(app.port());
            assertEquals(1, result.status, result.output);
            assertTrue(result.output.contains("LEAKS"), result.output);
        }
    }

    private record Result(int status, String output) {
    }

    private static Result probe(int port) throws IOException, InterruptedException {
        assertTrue(JAR != null && Files.isRegularFile(Path.of(JAR)), "the hub's runnable jar (" + JAR + ") is built "
                + "before this module's integration tests: run mvn -B verify from the top directory");
        Path output = Files.createTempFile("probe", ".txt");
        try {
            Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-jar", JAR, "probe", "http://127.0.0.1:" + port + "/events", "--window", "5s"))
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("the probe did not end within 90 s: " + Files.readString(output));
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            System.out.println(text);
            return new Result(process.exitValue(), text);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
