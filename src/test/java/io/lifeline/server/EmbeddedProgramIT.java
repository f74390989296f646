package io.lifeline.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import io.lifeline.testing.RedisServer;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.Tokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged program, {@code java -jar target/lifeline-server.jar}, run as a new user would run it. */
class EmbeddedProgramIT {

    private static final Duration START = Duration.ofSeconds(30);
    /**
     * A subscriber's start line as docs/logs-and-metrics.md shows it: time to the millisecond, level, logger,
     * message.
     */
    private static final Pattern START_LINE = Pattern.compile("(?m)^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}"
            + " INFO io\\.lifeline\\.subscribers - subscriber urn:uuid:[-0-9a-f]+ started topics=\\[hello\\] ");
    private static final Pattern READY = Pattern.compile("Lifeline ready on (\\S+) \\(port (\\d+)\\)");

    @TempDir
    Path workingDirectory;

    private final List<Program> started = new ArrayList<>();

    @AfterEach
    void stopEverything() {
        for (Program p : started) {
            p.stop();
        }
    }

    @Test
    void withoutAKeyItStartsInAnnouncedDevelopmentModeWithATokenThatWorks() throws Exception {
        Program program = start(Map.of(), "--port", "0");
        int port = program.awaitReady();
        String out = program.stdout();
        assertTrue(out.contains("DEVELOPMENT MODE"), out);
        assertTrue(out.contains("open http://127.0.0.1:" + port + "/"), out);
        assertTrue(out.contains("It listens on 127.0.0.1 only"), out);
        assertEquals(List.of("127.0.0.1:" + port), listeningAddresses(port),
                "development mode listens on loopback only, its token being able to do everything");
        Matcher token = Pattern.compile("\\n\\s+(eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+)\\n").matcher(out);
        assertTrue(token.find(), out);

        try (Http http = new Http();
             RawSseClient subscriber = RawSseClient.open(port, "/.well-known/mercure?topic=hello")) {
            subscriber.awaitBody(":\n\n", Duration.ofSeconds(5));
            Http.Response page = http.get(URI.create("http://127.0.0.1:" + port + "/"), null);
            assertEquals(200, page.status());
            assertTrue(page.body().contains("<title>Lifeline</title>"), page.body());
            Http.Response published = http.publish(URI.create("http://127.0.0.1:" + port + "/.well-known/mercure"),
                    token.group(1), "topic", "hello", "data", "world");
            assertEquals(200, published.status(), published.body());
            subscriber.awaitBody("data: world", Duration.ofSeconds(5));
            assertTrue(token.find(), "a second token, the Mercure 1.0 access token: " + out);
            String resource = "http://localhost:" + port + "/.well-known/mercure";
            assertEquals(List.of(resource), SignedJWT.parse(token.group(1)).getJWTClaimsSet().getAudience(),
                    "port 0 asked, the bound port named");
            Http.Response metadata = http.get(URI.create("http://127.0.0.1:" + port
                    + "/.well-known/oauth-protected-resource/.well-known/mercure"), null);
            assertTrue(metadata.body().contains("\"resource\":\"" + resource + "\""), metadata.body());
            Http.Response publishedWith10 = http.publish(URI.create("http://127.0.0.1:" + port
                    + "/.well-known/mercure"), token.group(1), "topic", "hello", "data", "from an access token");
            assertEquals(200, publishedWith10.status(), publishedWith10.body());
            subscriber.awaitBody("data: from an access token", Duration.ofSeconds(5));

            program.terminate();
            assertTrue(subscriber.awaitEof(Duration.ofSeconds(10)), "the stream ends when the program stops");
            assertTrue(subscriber.completedCleanly(), "the stream is completed, not reset");
        }
        int status = program.awaitExit();
        assertTrue(program.stderr().contains("reason=server-shutdown"), "exit " + status + "\n" + program.stderr()
                + "\nstdout:\n" + program.stdout());
        assertEquals(0, status, "a clean stop on SIGTERM exits 0");
        assertTrue(START_LINE.matcher(program.stderr()).find(),
                "one line per event, in the documented format:\n" + program.stderr());
    }

    /**
     * The warm-up runs before the port takes clients and leaves no trace: its line, and nothing of its own clients
     * in the log, the metrics or the subscriptions API.
     */
    @Test
    void aWarmUpRunsBeforeThePortTakesClientsAndLeavesNoTrace() throws Exception {
        String key = "k".repeat(40);
        Program program = start(Map.of("LIFELINE_JWT_KEY", key, "LIFELINE_WARMUP", "2s"), "--port", "0");
        int port = program.awaitReady();
        Matcher warmUp = Pattern.compile("warm-up: ([\\d,]+) subscribers started and left and ([\\d,]+) updates "
                + "delivered in (\\d+\\.\\d) s, before the port took clients").matcher(program.stderr());
        assertTrue(warmUp.find(), program.stderr());
        assertTrue(Integer.parseInt(warmUp.group(1).replace(",", "")) > 0, warmUp.group());
        assertTrue(Double.parseDouble(warmUp.group(3)) <= 2.5, warmUp.group());
        assertFalse(program.stderr().contains("urn:lifeline:warm-up"), "the warm-up's clients left no line:\n"
                + program.stderr());
        assertFalse(program.stderr().contains("subscriber urn:uuid"), program.stderr());
        try (Http http = new Http()) {
            String metrics = http.get(URI.create("http://127.0.0.1:" + port + "/metrics"), null).body();
            assertFalse(metrics.matches("(?s).*lifeline_subscribers_started_total\\{[^}]*\\} [1-9].*"), metrics);
            assertFalse(metrics.matches("(?s).*lifeline_updates_published_total(\\{[^}]*\\})? [1-9].*"), metrics);
            Http.Response list = http.get(URI.create("http://127.0.0.1:" + port
                    + "/.well-known/mercure/subscriptions"), Tokens.subscriber(key, "*"));
            assertEquals(200, list.status(), list.body());
            assertTrue(list.body().matches("(?s).*\"subscriptions\"\\s*:\\s*\\[\\s*\\].*"), list.body());
            assertTrue(list.body().matches("(?s).*\"lastEventID\"\\s*:\\s*\"earliest\".*"),
                    "no history entry: " + list.body());
        }
    }

    @Test
    void theProbeCommandJudgesARunningProgramAndExitsWithItsVerdict() throws Exception {
        Program hub = start(Map.of(), "--port", "0", "--heartbeat", "1s");
        int port = hub.awaitReady();
        Matcher token = Pattern.compile("\\n\\s+(eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+)\\n").matcher(hub.stdout());
        assertTrue(token.find(), hub.stdout());

        Program probe = start(Map.of(), "probe", "http://127.0.0.1:" + port + "/.well-known/mercure?topic=hello",
                "--token", token.group(1), "--window", "3s");
        assertEquals(0, probe.awaitExit(), probe.stdout() + probe.stderr());
        assertTrue(probe.stdout().matches("(?s).*FIN, reading on +noticed.*RST_STREAM \\(HTTP/2\\) +noticed.*")
                && probe.stdout().contains("Every departure (4) was noticed within 3 s."),
                probe.stdout());

        assertTrue(token.find(), "the Mercure 1.0 access token: " + hub.stdout());
        Program withAccessToken = start(Map.of(), "probe", "http://127.0.0.1:" + port
                + "/.well-known/mercure?match=hello", "--token", token.group(1), "--window", "3s", "--no-stall");
        assertEquals(0, withAccessToken.awaitExit(), withAccessToken.stdout() + withAccessToken.stderr());
        assertTrue(withAccessToken.stdout().matches(
                "(?s).*RST +noticed.*close \\(FIN, reading stopped\\) +noticed.*"),
                "a 1.0 access token reads 1.0's list: " + withAccessToken.stdout());

        Program page = start(Map.of(), "probe", "http://127.0.0.1:" + port + "/", "--window", "2s");
        assertEquals(2, page.awaitExit(), page.stdout() + page.stderr());
        assertTrue(page.stderr().contains("not an event stream: http://127.0.0.1:" + port + "/ answered 200"),
                page.stderr());
    }

    @Test
    void aCleanStopOnSigintExitsZeroToo() throws Exception {
        Program program = start(Map.of("LIFELINE_JWT_KEY", "k".repeat(40)), "--port", "0");
        program.awaitReady();
        new ProcessBuilder("bash", "-c", "kill -INT " + program.process.pid()).start().waitFor();
        assertEquals(0, program.awaitExit(), program.stderr());
        assertTrue(program.stderr().contains("hub stopped"), program.stderr());
    }

    @Test
    void developmentModeListensWhereAHostIsSetExplicitlyAndSaysSo() throws Exception {
        Program program = start(Map.of(), "--port", "0", "--host", "0.0.0.0");
        int port = program.awaitReady();
        assertTrue(program.stdout().contains("It listens on 0.0.0.0, as LIFELINE_HOST asks"), program.stdout());
        // Java binds 0.0.0.0 as IPv6's wildcard, which takes IPv4 too: the line says what the socket does
        assertTrue(program.stdout().contains("Lifeline ready on http://localhost:" + port + "/ (port " + port
                + "), listening on all interfaces (IPv4 and IPv6)"), program.stdout());
        assertEquals(List.of("0.0.0.0:" + port), listeningAddresses(port));
    }

    @Test
    void theReadinessLineSaysWhereTheHubListensWithAndWithoutAHost() throws Exception {
        Program everywhere = start(Map.of("LIFELINE_JWT_KEY", "k".repeat(40)), "--port", "0");
        int port = everywhere.awaitReady();
        assertTrue(everywhere.stdout().contains("Lifeline ready on http://localhost:" + port + "/ (port " + port
                + "), listening on all interfaces (IPv4 and IPv6)"), everywhere.stdout());
        assertEquals(List.of("0.0.0.0:" + port), listeningAddresses(port), "every interface, as the line says");

        Program loopback = start(Map.of("LIFELINE_JWT_KEY", "k".repeat(40)), "--port", "0", "--host", "127.0.0.1");
        int loopbackPort = loopback.awaitReady();
        assertTrue(loopback.stdout().contains("Lifeline ready on http://127.0.0.1:" + loopbackPort + "/ (port "
                + loopbackPort + "), listening on 127.0.0.1 only"), loopback.stdout());
        assertEquals(List.of("127.0.0.1:" + loopbackPort), listeningAddresses(loopbackPort));
    }

    /**
     * An orchestrator's stop during start-up: the port already takes connections (it is bound before the web app
     * starts), the web app is still starting. The program stops cleanly, exits 0, and never says it is ready.
     */
    @Test
    void aStopWithinAMomentOfThePortOpeningExitsZeroWithoutAReadinessLine() throws Exception {
        for (int round = 0; round < 3; round++) {
            Program program = start(Map.of("LIFELINE_JWT_KEY", "k".repeat(40)), "--port", "0");
            long opened = Poll.forValue(START, "the program's port", () -> {
                if (!program.process.isAlive()) {
                    throw new AssertionError("the program exited: " + program.stderr());
                }
                return listeningPortOf(program.process.pid()) > 0 ? System.nanoTime() : null;
            });
            program.terminate();
            long within = System.nanoTime() - opened;
            assertEquals(0, program.awaitExit(), "SIGTERM " + within / 1_000_000 + " ms after the port opened:\n"
                    + program.stderr());
            assertFalse(READY.matcher(program.stdout()).find(), "a readiness line after the stop began:\n"
                    + program.stdout());
        }
    }

    /**
     * A stop while start-up waits on a Redis that takes the connection and never answers: the start is interrupted,
     * and the program exits 0 at once rather than after the Redis timeout, without a readiness line.
     */
    @Test
    void aStopWhileStartUpWaitsOnAnUnreachableRedisExitsZeroWithoutAReadinessLine() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
            List<java.net.Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // takes the connection, never answers
                        accepted.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "silent-redis");
            acceptor.setDaemon(true);
            acceptor.start();
            Program program = start(Map.of("LIFELINE_JWT_KEY", "k".repeat(40),
                    "LIFELINE_TRANSPORT", "redis://127.0.0.1:" + silent.getLocalPort(),
                    "LIFELINE_REDIS_TIMEOUT", "60s"), "--port", "0");
            Poll.until(START, "the program connects to the silent Redis; stderr: " + program.stderr(),
                    () -> accepted.get() > 0);
            long stopped = System.nanoTime();
            program.terminate();
            assertEquals(0, program.awaitExit(), program.stderr());
            long tookMillis = (System.nanoTime() - stopped) / 1_000_000;
            assertTrue(tookMillis < StopOnSignal.START_WAIT.toMillis(), "the stop took " + tookMillis + " ms");
            assertFalse(READY.matcher(program.stdout()).find(), program.stdout());
            for (java.net.Socket socket : held) {
                socket.close();
            }
        }
    }

    /** The TCP port a process listens on, from {@code ss}; 0 while it listens on none. */
    private static int listeningPortOf(long pid) {
        String out;
        try {
            Process ss = new ProcessBuilder("ss", "-Hltnp").start();
            out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ss.waitFor();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("ss (iproute2) is needed to see the program's port", e);
        }
        for (String line : out.split("\n")) {
            if (line.contains("pid=" + pid + ",")) {
                String local = line.trim().split("\\s+")[3];
                return Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
            }
        }
        return 0;
    }

    /** The local addresses the kernel shows listening on this port, from {@code ss}. */
    private static List<String> listeningAddresses(int port) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-Hltn", "( sport = :" + port + " )").start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor();
        List<String> addresses = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 4) {
                String local = columns[3];
                boolean any = local.startsWith("[::]:") || local.startsWith("*:") || local.startsWith("0.0.0.0:");
                addresses.add(any ? "0.0.0.0:" + port : local.replace("[::ffff:", "").replace("]", ""));
            }
        }
        return addresses;
    }

    @Test
    void withAKeyItStartsWithoutDevelopmentModeAndRefusesAnonymousSubscribers() throws Exception {
        String key = "k".repeat(40);
        Program program = start(Map.of("LIFELINE_JWT_KEY", key), "--port", "0");
        int port = program.awaitReady();
        assertFalse(program.stdout().contains("DEVELOPMENT MODE"), program.stdout());
        assertTrue(program.stderr().contains("TCP user timeout 30000 ms on every subscriber's connection"),
                "the jar's manifest lets Lifeline set the TCP user timeout, through the JNA it carries:\n"
                        + program.stderr());
        try (Http http = new Http()) {
            assertEquals(401, http.get(URI.create("http://127.0.0.1:" + port + "/.well-known/mercure?topic=t"), null)
                    .status());
            assertEquals(200, http.publish(URI.create("http://127.0.0.1:" + port + "/.well-known/mercure"),
                    Tokens.publisher(key, "*"), "topic", "t").status());
        }
    }

    @Test
    void aPortInUseIsAClearErrorAndANonZeroExit() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
            Program program = start(Map.of(), "--port", String.valueOf(taken.getLocalPort()));
            int status = program.awaitExit();
            assertEquals(1, status, program.stderr());
            assertTrue(program.stderr().contains("cannot listen on port " + taken.getLocalPort()), program.stderr());
            assertTrue(program.stderr().contains("--port"), program.stderr());
        }
    }

    @Test
    void aNodeWhoseRedisDoesNotAnswerStopsStartUpWithAMessageNamingTheTransport() throws Exception {
        String uri = RedisServer.unreachableUri();
        Program program = start(Map.of("LIFELINE_TRANSPORT", "redis://:secret@" + uri.substring("redis://".length()),
                "LIFELINE_REDIS_TIMEOUT", "1s"), "--port", "0");
        assertEquals(1, program.awaitExit(), "it cannot start, as with a port in use:\n" + program.stderr());
        assertTrue(program.stderr().contains("LIFELINE_TRANSPORT=redis://***@127.0.0.1"), program.stderr());
        assertTrue(program.stderr().contains("cannot reach Redis at " + uri), program.stderr());
        assertFalse(program.stderr().contains("secret"), "the password is never printed:\n" + program.stderr());
    }

    @Test
    void badConfigurationStopsStartUpWithAMessageNamingTheSetting() throws Exception {
        Program program = start(Map.of("LIFELINE_HEARTBEAT", "15"), "--port", "0");
        assertEquals(2, program.awaitExit(), program.stderr());
        assertTrue(program.stderr().contains("LIFELINE_HEARTBEAT"), program.stderr());
        assertTrue(program.stderr().contains("unit"), program.stderr());

        Program unknownFlag = start(Map.of(), "--heartbeet", "1s");
        assertEquals(2, unknownFlag.awaitExit(), unknownFlag.stderr());
        assertTrue(unknownFlag.stderr().contains("--heartbeet"), unknownFlag.stderr());
    }

    @Test
    void aLoggingConfigurationOfTheOperatorsOwnReplacesTheBundledOne() throws Exception {
        Path quiet = workingDirectory.resolve("quiet-logback.xml");
        Files.writeString(quiet, """
                <configuration>
                  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>%level %logger - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.lifeline.subscribers" level="WARN"/>
                  <root level="INFO"><appender-ref ref="STDERR"/></root>
                </configuration>
                """);
        Program program = start(List.of("-Dlogback.configurationFile=quiet-logback.xml"),
                Map.of("LIFELINE_JWT_KEY", "k".repeat(40), "LIFELINE_ANONYMOUS", "true"), "--port", "0");
        int port = program.awaitReady();
        try (RawSseClient subscriber = RawSseClient.open(port, "/.well-known/mercure?topic=quiet")) {
            subscriber.awaitBody(":\n\n", Duration.ofSeconds(5));
            program.terminate();
            assertTrue(subscriber.awaitEof(Duration.ofSeconds(10)), "the stream ends when the program stops");
        }
        assertEquals(0, program.awaitExit(), program.stderr());
        assertTrue(program.stderr().contains("INFO io.lifeline.hub.Hub - hub stopped"), program.stderr());
        assertFalse(program.stderr().contains("io.lifeline.subscribers"), program.stderr());
    }

    @Test
    void aLoggingConfigurationThatCannotBeReadStopsStartUp() throws Exception {
        Program missing = start(List.of("-Dlogback.configurationFile=no-such-logback.xml"), Map.of(), "--port", "0");
        assertEquals(2, missing.awaitExit(), missing.stderr());
        assertTrue(missing.stderr().contains("-Dlogback.configurationFile=no-such-logback.xml names no file,"
                + " class-path resource or URL"), missing.stderr());

        Files.writeString(workingDirectory.resolve("broken-logback.xml"), "<configuration><appender");
        Program broken = start(List.of("-Dlogback.configurationFile=broken-logback.xml"), Map.of(), "--port", "0");
        assertEquals(2, broken.awaitExit(), broken.stderr());
        assertTrue(broken.stderr().contains("the logging configuration broken-logback.xml has errors"),
                broken.stderr());
    }

    @Test
    void helpListsEverySetting() throws Exception {
        Program program = start(Map.of(), "--help");
        assertEquals(0, program.awaitExit());
        for (String name : new String[] {"--port", "--jwt-key", "--heartbeat", "--dispatch-timeout", "--queue-bytes",
            "--max-update-bytes", "--anonymous", "--watch"}) {
            assertTrue(program.stdout().contains(name), program.stdout());
        }
    }

    private Program start(Map<String, String> env, String... args) throws IOException {
        return start(List.of(), env, args);
    }

    /** @param jvm flags for the JVM, before {@code -jar} */
    private Program start(List<String> jvm, Map<String, String> env, String... args) throws IOException {
        String jar = System.getProperty("lifeline.server.jar");
        assertTrue(jar != null && Files.exists(Path.of(jar)), "the packaged jar is missing: " + jar);
        List<String> command = new ArrayList<>();
        if (sigintIgnored()) {
            // started as a background job (nohup ... &), this JVM ignores SIGINT and its children would too, as a
            // JVM started that way does: the program is started as a terminal would start it
            command.addAll(List.of("env", "--default-signal=INT"));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.addAll(List.of("-jar", jar));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("LIFELINE_"));
        // the warm-up's 3 s at every start, a test's minutes in all; the tests that are about it ask for it
        builder.environment().put("LIFELINE_WARMUP", "0s");
        builder.environment().putAll(env);
        Program program = new Program(builder.start());
        started.add(program);
        return program;
    }

    /** Whether this process ignores SIGINT (bit 2 of {@code SigIgn} in {@code /proc/self/status}). */
    private static boolean sigintIgnored() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 0x2) != 0;
            }
        }
        return false;
    }

    /** A started program and everything it has printed. */
    private static final class Program {
        private final Process process;
        private final List<String> out = new CopyOnWriteArrayList<>();
        private final List<String> err = new CopyOnWriteArrayList<>();

        private final List<Thread> readers = new ArrayList<>();

        Program(Process process) {
            this.process = process;
            readers.add(collect(process.getInputStream(), out));
            readers.add(collect(process.getErrorStream(), err));
        }

        private static Thread collect(java.io.InputStream stream, List<String> lines) {
            Thread t = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "program-output");
            t.setDaemon(true);
            t.start();
            return t;
        }

        int awaitReady() {
            return Poll.forValue(START, "the readiness line; stderr: " + stderr(), () -> {
                Matcher m = READY.matcher(stdout());
                if (m.find()) {
                    return Integer.parseInt(m.group(2));
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the program exited " + process.exitValue() + ": " + stderr());
                }
                return null;
            });
        }

        int awaitExit() throws InterruptedException {
            if (!process.waitFor(START.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the program did not exit; its threads:\n" + threadDump() + "\nstderr:\n"
                        + stderr());
            }
            for (Thread reader : readers) {
                reader.join(5000); // its output, read to the end
            }
            return process.exitValue();
        }

        /** What the program's threads are doing, for a failure message ({@code jcmd Thread.print}). */
        private String threadDump() {
            try {
                Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).start();
                String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                jcmd.waitFor(20, TimeUnit.SECONDS);
                return dump;
            } catch (IOException | InterruptedException e) {
                return "(no thread dump: " + e + ")";
            }
        }

        /**
         * SIGTERM, as an orchestrator stops it. Through the process handle: {@code Process.destroy()} would also
         * close the pipes this test reads the program's output from, losing what it logs while it stops.
         */
        void terminate() {
            process.toHandle().destroy();
        }

        void stop() {
            process.toHandle().destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        String stdout() {
            return String.join("\n", out) + "\n";
        }

        String stderr() {
            return String.join("\n", err) + "\n";
        }
    }
}
