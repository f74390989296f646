package io.lifeline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's {@code redis-server}, started by a test on a free loopback port with the strict persistence
 * docs/cluster.md recommends ({@code appendonly yes}, {@code appendfsync always}) in a directory of its own, so that
 * a restart keeps every acknowledged write. Closing it kills the process and deletes the directory.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(15);

    private final Path dir;
    private final int port;
    private final boolean tls;
    private Child process;

    private RedisServer(Path dir, int port, boolean tls) {
        this.dir = dir;
        this.port = port;
        this.tls = tls;
    }

    /** Starts one, and waits until it answers. */
    public static RedisServer start() throws IOException {
        return start(false);
    }

    /** Starts one that speaks TLS only, with a fresh self-signed certificate, and waits until it answers. */
    public static RedisServer startTls() throws IOException {
        return start(true);
    }

    private static RedisServer start(boolean tls) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RedisServer server = new RedisServer(Files.createTempDirectory("lifeline-redis"), port, tls);
        server.startProcess();
        return server;
    }

    /** A URI nobody answers on: a port that was free a moment ago. */
    public static String unreachableUri() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "redis://127.0.0.1:" + probe.getLocalPort();
        }
    }

    /** Its URI; over TLS, one that trusts its self-signed certificate ({@code verifyPeer=NONE}). */
    public String uri() {
        return tls ? "rediss://127.0.0.1:" + port + "?verifyPeer=NONE" : "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The process's id, for a benchmark that gives it priority. */
    public long pid() {
        return process.pid();
    }

    private void startProcess() throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                "--daemonize", "no", "--protected-mode", "no"));
        if (tls) {
            Path[] pem;
            try {
                pem = Tls.pem(Tls.keystore(dir), dir);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-key-file",
                    pem[0].toString(), "--tls-cert-file", pem[1].toString(), "--tls-auth-clients", "no"));
        } else {
            command.addAll(List.of("--port", Integer.toString(port)));
        }
        try {
            process = Child.start("redis-server", command);
        } catch (IOException e) {
            throw new IOException("cannot start redis-server (Debian's redis-server package, which .ci/run installs): "
                    + e.getMessage(), e);
        }
        Poll.until(START, "redis-server to answer on port " + port + ":\n" + process.output(),
                () -> "+PONG".equals(command("PING")));
    }

    /** Stops it at once, as a crash would (SIGKILL); what it acknowledged stays in its append-only file. */
    public void kill() {
        process.close();
        Poll.until(START, "redis-server's port " + port + " to close", () -> command("PING") == null);
    }

    /** Stops it answering without closing a connection (SIGSTOP), as a Redis too busy to answer would. */
    public void freeze() throws IOException {
        process.signal("STOP");
    }

    /** Lets a frozen one answer again (SIGCONT). */
    public void thaw() throws IOException {
        process.signal("CONT");
    }

    /** Starts it again on the same port, from its append-only file. */
    public void restart() throws IOException {
        startProcess();
    }

    /**
     * Sends one command (words, inline protocol) and returns the first line of the answer, or null when nothing
     * answers.
     */
    public String command(String... words) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            Socket s = tls ? Tls.trustingClient().getSocketFactory().createSocket(plain, "127.0.0.1", port, true)
                    : plain;
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write((String.join(" ", words) + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\r') {
                line.append((char) c);
            }
            return line.length() == 0 ? null : line.toString();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        thaw(); // a frozen process would not die of SIGKILL until it runs again on some kernels' accounting
        process.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
