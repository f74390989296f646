package io.lifeline.containers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A stock jetty-home 12.1 with the Jetty base this repository ships in {@code jetty-config/base-ee10} or
 * {@code base-ee11}, exactly as the README tells an operator to use it.
 */
final class JettyHome extends Container {

    private final String environment;
    private final int stopPort;
    private final String stopKey = UUID.randomUUID().toString();

    JettyHome(String environment, Path base) throws IOException {
        super(property("lifeline.it.jetty-home").getFileName() + " " + environment, base);
        this.environment = environment;
        this.stopPort = freePort();
    }

    @Override
    void prepare(Path war) throws IOException {
        copyTree(property("lifeline.jetty.config").resolve("base-" + environment), base);
        Files.createDirectories(base.resolve("wars"));
        Files.copy(war, base.resolve("wars/lifeline.war"));
    }

    @Override
    List<String> command() {
        Path home = property("lifeline.it.jetty-home");
        return List.of(java(), "-jar", home.resolve("start.jar").toString(), "jetty.home=" + home,
                "jetty.base=" + base, "jetty.http.host=127.0.0.1", "jetty.http.port=" + port,
                "STOP.HOST=127.0.0.1", "STOP.PORT=" + stopPort, "STOP.KEY=" + stopKey);
    }

    /**
     * Stops Jetty the other way an operator can, {@code start.jar --stop}: the server stops in Jetty's shutdown
     * monitor thread, before the JVM runs its shutdown hooks, so log lines written while it stops are kept.
     */
    void stopWithStartJar() throws IOException, InterruptedException {
        Path home = property("lifeline.it.jetty-home");
        Process stop = new ProcessBuilder(java(), "-jar", home.resolve("start.jar").toString(), "jetty.home=" + home,
                "jetty.base=" + base, "STOP.HOST=127.0.0.1", "STOP.PORT=" + stopPort, "STOP.KEY=" + stopKey,
                "STOP.WAIT=60", "--stop").directory(base.toFile()).redirectErrorStream(true).start();
        String said = new String(stop.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!stop.waitFor(90, TimeUnit.SECONDS) || stop.exitValue() != 0) {
            stop.destroyForcibly();
            throw new AssertionError("start.jar --stop failed:\n" + said);
        }
        awaitExit();
    }
}
