package io.lifeline.containers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A stock jetty-home 12.1 with the Jetty base this repository ships in {@code jetty-config/base-ee10} or
 * {@code base-ee11}, exactly as the README tells an operator to use it; optionally with the README's steps for TLS
 * and HTTP/2 ({@code --add-modules=https,http2}), clients then using the TLS connector.
 */
final class JettyHome extends Container {

    private final String environment;
    private final Path keystore;
    private final String keystorePassword;
    private final int plainPort;
    private final int stopPort;
    private final String stopKey = UUID.randomUUID().toString();

    JettyHome(String environment, Path base) throws IOException {
        this(environment, base, null, null);
    }

    /** With a TLS connector (HTTP/1.1 and h2 through ALPN) using this PKCS12 keystore, the one clients use. */
    JettyHome(String environment, Path base, Path keystore, String keystorePassword) throws IOException {
        super(property("lifeline.it.jetty-home").getFileName() + " " + environment
                + (keystore == null ? "" : " (TLS connector)"), base);
        this.environment = environment;
        this.keystore = keystore;
        this.keystorePassword = keystorePassword;
        this.plainPort = keystore == null ? port : freePort();
        this.stopPort = freePort();
    }

    @Override
    String scheme() {
        return keystore == null ? "http" : "https";
    }

    @Override
    void prepare(Path war) throws IOException {
        copyTree(property("lifeline.jetty.config").resolve("base-" + environment), base);
        Files.createDirectories(base.resolve("wars"));
        Files.copy(war, base.resolve("wars/lifeline.war"));
        if (keystore != null) {
            run(List.of("--add-modules=https,http2"));
        }
    }

    @Override
    List<String> command() {
        List<String> command = new ArrayList<>(startJar());
        command.addAll(List.of("jetty.http.host=" + host, "jetty.http.port=" + plainPort,
                "STOP.HOST=127.0.0.1", "STOP.PORT=" + stopPort, "STOP.KEY=" + stopKey));
        if (keystore != null) {
            command.addAll(List.of("jetty.ssl.host=" + host, "jetty.ssl.port=" + port,
                    "jetty.sslContext.keyStorePath=" + keystore, "jetty.sslContext.keyStorePassword=" + keystorePassword,
                    "jetty.sslContext.keyStoreType=PKCS12"));
        }
        return command;
    }

    private List<String> startJar() {
        Path home = property("lifeline.it.jetty-home");
        List<String> command = new ArrayList<>(List.of(java()));
        for (String arg : jvmArgs) {
            command.addAll(List.of(arg.split(" ")));
        }
        command.addAll(List.of("-jar", home.resolve("start.jar").toString(), "jetty.home=" + home,
                "jetty.base=" + base));
        return command;
    }

    /** Runs start.jar with these arguments to completion, as an operator's one-off command. */
    private void run(List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(startJar());
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true).start();
        String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", arguments) + " failed:\n" + said);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Stops Jetty the other way an operator can, {@code start.jar --stop}: the server stops in Jetty's shutdown
     * monitor thread, before the JVM runs its shutdown hooks, so log lines written while it stops are kept.
     */
    void stopWithStartJar() throws IOException, InterruptedException {
        run(List.of("STOP.HOST=127.0.0.1", "STOP.PORT=" + stopPort, "STOP.KEY=" + stopKey, "STOP.WAIT=60", "--stop"));
        awaitExit();
    }
}
