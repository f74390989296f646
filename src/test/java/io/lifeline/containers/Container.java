package io.lifeline.containers;

import io.lifeline.testing.Child;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A stock servlet container distribution (unpacked by Maven into target/containers), run as a process of its own
 * with {@code target/lifeline.war} (or another WAR a test gives) deployed at the root context. The test that starts
 * it stops it.
 */
abstract class Container implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(90);

    final String name;
    final int port;
    final Path base;
    /** The address the container listens on: loopback, unless a test's own network needs another. */
    String host = "127.0.0.1";
    /** Flags for the container's JVM, before its main class. */
    final List<String> jvmArgs = new ArrayList<>();
    private Process process;
    private Child child;

    Container(String name, Path base) throws IOException {
        this.name = name;
        this.base = base;
        this.port = freePort();
    }

    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** Listens on this address instead of loopback (a network namespace's host side, say). */
    Container on(String address) {
        this.host = address;
        return this;
    }

    /** Starts the container's JVM with these flags too. */
    Container withJvmArgs(String... args) {
        jvmArgs.addAll(List.of(args));
        return this;
    }

    /** The JVM flag that lets Lifeline reach connections' descriptors (the TCP user timeout), as docs/war.md says. */
    static String exportsFlag() {
        return System.getProperty("lifeline.jvm.exports", "--add-exports java.base/sun.nio.ch=ALL-UNNAMED");
    }

    /** Writes the container's configuration and the WAR under {@link #base}. */
    abstract void prepare(Path war) throws IOException;

    /** The command that runs the container in the foreground. */
    abstract List<String> command();

    /** The scheme clients use. */
    String scheme() {
        return "http";
    }

    static Path property(String name) {
        String value = System.getProperty(name);
        if (value == null || !Files.isDirectory(Path.of(value)) && !Files.isRegularFile(Path.of(value))) {
            throw new IllegalStateException("system property " + name + " = " + value
                    + " does not name what the integration tests need; run them with mvn verify");
        }
        return Path.of(value);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts the container with Lifeline's settings in its environment and waits until the hub answers. */
    Container start(Map<String, String> settings) throws IOException {
        return start(property("lifeline.war"), "/.well-known/mercure/subscriptions", 401, settings);
    }

    /**
     * Starts the container with {@code war} at the root context and waits until {@code readyPath} answers
     * {@code readyStatus}.
     */
    Container start(Path war, String readyPath, int readyStatus, Map<String, String> settings) throws IOException {
        prepare(war);
        ProcessBuilder builder = new ProcessBuilder(command()).directory(base.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(n -> n.startsWith("LIFELINE_"));
        builder.environment().putAll(settings);
        child = Child.start(name, builder);
        process = child.process();
        HttpClient client = HttpClient.newBuilder().sslContext(io.lifeline.testing.Tls.trustingClient()).build();
        Poll.until(START, name + " serves " + readyPath + "; its output:\n" + output(), () -> {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri(readyPath))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == readyStatus;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        return this;
    }

    /**
     * A raw SSE client of this port (the container's, or a proxy's in front of it), over TLS when the container's
     * connector speaks it.
     *
     * @param receiveBuffer if positive, the client's small receive buffer
     */
    RawSseClient openClient(int port, String pathAndQuery, int receiveBuffer) throws IOException {
        return scheme().equals("https") ? RawSseClient.openTls(port, pathAndQuery, receiveBuffer)
                : RawSseClient.open(port, pathAndQuery, receiveBuffer);
    }

    /** A raw SSE client of the container's port that subscribes with {@code QUERY}, its parameters in the body. */
    RawSseClient queryClient(String pathAndQuery, String body) throws IOException {
        return scheme().equals("https") ? RawSseClient.queryTls(port, pathAndQuery, body)
                : RawSseClient.query(port, pathAndQuery, body);
    }

    /** A raw SSE client of the container's port, its header lines encoded in {@code charset}. */
    RawSseClient openClient(String pathAndQuery, Charset charset, String... headerLines)
            throws IOException {
        return scheme().equals("https") ? RawSseClient.openTls(port, pathAndQuery, 0, charset, headerLines)
                : RawSseClient.open(port, pathAndQuery, charset, headerLines);
    }

    URI uri(String pathAndQuery) {
        return URI.create(scheme() + "://" + host + ":" + port + pathAndQuery);
    }

    /** What the container has printed, Lifeline's log lines included. */
    String output() {
        return child == null ? "" : child.output();
    }

    /** SIGTERM, without waiting. */
    void terminate() {
        process.toHandle().destroy();
    }

    /** SIGTERM, then waits for the container to stop. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.toHandle().destroy();
        try {
            awaitExit();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the container to exit, a minute at most, then kills it. */
    void awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        List<Path> paths;
        try (var walk = Files.walk(from)) {
            paths = new ArrayList<>(walk.toList());
        }
        for (Path source : paths) {
            Path target = to.resolve(from.relativize(source).toString());
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
            } else {
                Files.copy(source, target);
            }
        }
    }
}
