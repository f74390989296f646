package io.lifeline.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A stock jetty-home 12.1 with the Jetty base this repository ships in {@code jetty-config/base-ee10} or
 * {@code base-ee11}, exactly as docs/war.md tells an operator to use it; optionally with its steps for TLS
 * and HTTP/2 ({@code --add-modules=https,http2}), clients then using the TLS connector.
 */
final class JettyHome extends Container {

    /**
     * A line of Jetty's own log (jetty-slf4j-impl): date, time to the millisecond, level, condensed logger name,
     * thread, message, all on one line.
     */
    private static final Pattern JETTY_LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}:(INFO |WARN |ERROR|DEBUG|TRACE):[^ :]+:[^ ]+: .+");
    /** The first of a record's two lines in java.util.logging's default format: date, time to the second, source. */
    private static final Pattern JUL_HEADER = Pattern.compile(
            "[A-Z][a-z]{2} \\d{1,2}, \\d{4} \\d{1,2}:\\d\\d:\\d\\d [AP]M .*");

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
     * Lifeline's lines are part of Jetty's log, in its one-line format: a subscriber's end line reads like Jetty's
     * own, at INFO, with its time to the millisecond, and nothing comes out in java.util.logging's two-line format.
     * Start-up says in one plain line which watches this container offers and why the Tomcat one is not among them,
     * and no start-up line carries exception text.
     */
    static void assertLifelineLogsInJettysFormat(Container jetty, ExternalHub hub) throws IOException {
        String topic = "log-format-" + UUID.randomUUID();
        String subscriber;
        try (RawSseClient client = jetty.openClient(jetty.port, "/.well-known/mercure?topic=" + topic, 0)) {
            client.awaitBody(":\n\n", Duration.ofSeconds(10));
            subscriber = hub.awaitSubscriber(topic);
        }
        String end = Poll.forValue(Duration.ofSeconds(5), "the end line of subscriber " + subscriber + "; output:\n"
                + jetty.output(), () -> jetty.output().lines()
                .filter(l -> l.contains("subscriber " + subscriber + " ended reason=")).findFirst().orElse(null));
        assertTrue(JETTY_LINE.matcher(end).matches() && end.contains(":INFO :il.subscribers:")
                && end.contains(" ended reason=client-closed "), "not Jetty's format at INFO: " + end);

        List<String> lines = jetty.output().lines().toList();
        for (String line : lines) {
            assertTrue(!JUL_HEADER.matcher(line).matches(), "a record in java.util.logging's format: " + line);
        }
        int started = 0;
        while (started < lines.size() && !lines.get(started).contains("Started oejs.Server@")) {
            started++;
        }
        assertTrue(started < lines.size(), "Jetty's started line; output:\n" + jetty.output());
        List<String> startUp = lines.subList(0, started + 1);
        for (String line : startUp) {
            assertTrue(!line.contains("ClassNotFoundException") && !line.contains("NoClassDefFoundError"),
                    "exception text at start-up: " + line);
        }
        List<String> watches = startUp.stream().filter(l -> l.contains("Lifeline started: departure watches"))
                .toList();
        assertEquals(1, watches.size(), "one start-up line on the watches; output:\n" + jetty.output());
        assertTrue(JETTY_LINE.matcher(watches.get(0)).matches(), "not in Jetty's format: " + watches.get(0));
        assertTrue(watches.get(0).contains("departure watches [jetty-http1, jetty-http2, none] (not available here: "
                + "tomcat-nio: not running in Tomcat)"), watches.get(0));
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
