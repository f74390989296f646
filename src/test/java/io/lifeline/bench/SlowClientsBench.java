package io.lifeline.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Http;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The embedded program under slow and greedy clients, with its default limits: 100 connections that send their
 * request headers a byte a second (and come back each time they are closed) and 2,000 idle subscribers. It measures
 * a normal subscriber's publish-to-receive latency without them and with them, and whether new subscribers still get
 * in meanwhile. The goal: the p99 with them stays within twice the p99 without them, or under 50 ms, whichever is
 * larger, and every new subscriber gets its stream within 5 s.
 *
 * <p>Not part of {@code mvn verify}: run it with
 * {@code mvn -B test -Dtest=SlowClientsBench -Dsurefire.failIfNoSpecifiedTests=false}; it writes its table to
 * {@code target/bench/slow-clients.md}. It needs a hard open-files limit of about 5,000 (client and server sockets
 * live in one JVM), and takes about a minute.</p>
 */
class SlowClientsBench {

    private static final int IDLE = 2000;
    private static final int SLOW = 100;
    private static final int UPDATES = 300;
    private static final int NEWCOMERS = 50;

    @Test
    void aNormalSubscriberStaysFastAndNewcomersGetInUnderSlowAndIdleClients() throws Exception {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            measure(server, http, "warm-up"); // the JIT compiles the publish and delivery paths
            Latencies baseline = measure(server, http, "baseline");

            List<RawSseClient> idle = new ArrayList<>();
            AtomicBoolean loading = new AtomicBoolean(true);
            AtomicInteger slowClosed = new AtomicInteger();
            Thread slowloris = new Thread(() -> slowloris(server.port(), loading, slowClosed), "slowloris");
            try {
                for (int i = 0; i < IDLE; i++) {
                    idle.add(RawSseClient.open(server.port(), "/.well-known/mercure?topic=idle-" + i));
                }
                for (RawSseClient client : idle) {
                    client.awaitBody(":\n\n", Duration.ofSeconds(30));
                }
                slowloris.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (slowClosed.get() < SLOW && System.nanoTime() < deadline) {
                    Thread.sleep(100); // polling: until every slow connection has met the header deadline once
                }
                Latencies loaded = measure(server, http, "loaded");
                long slowestNewcomerMillis = newcomers(server);
                loading.set(false);
                slowloris.join(10_000);

                double bound = Math.max(2 * baseline.p99(), 50);
                String table = "| measure | value |\n|---|---|\n"
                        + "| publish-to-receive p50 / p99, alone | " + baseline + " |\n"
                        + "| publish-to-receive p50 / p99, with " + SLOW + " slowloris and " + IDLE
                        + " idle subscribers | " + loaded + " |\n"
                        + "| bound on the loaded p99: max(2 x alone, 50 ms) | " + String.format("%.1f ms", bound)
                        + " |\n"
                        + "| slowloris connections closed at the header deadline | " + slowClosed.get() + " |\n"
                        + "| " + NEWCOMERS + " new subscribers under load, slowest to get its stream | "
                        + slowestNewcomerMillis + " ms |\n";
                System.out.println(table);
                Path out = Path.of("target", "bench");
                Files.createDirectories(out);
                Files.writeString(out.resolve("slow-clients.md"), table);
                assertTrue(loaded.p99() <= bound, table);
                assertTrue(slowestNewcomerMillis < 5000, table);
            } finally {
                loading.set(false);
                for (RawSseClient client : idle) {
                    client.close();
                }
            }
        }
    }

    /** Publish-to-receive latency of one subscriber over {@link #UPDATES} updates, 50 a second. */
    private static Latencies measure(TestServer server, Http http, String topic) throws Exception {
        List<Double> millis = new CopyOnWriteArrayList<>();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.getOutputStream().write(("GET /.well-known/mercure?topic=" + topic + " HTTP/1.1\r\nHost: x\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            Thread reader = new Thread(() -> {
                try {
                    String line;
                    while (millis.size() < UPDATES && (line = in.readLine()) != null) {
                        int at = line.indexOf("data: sent=");
                        if (at >= 0) {
                            long sent = Long.parseLong(line.substring(at + 11).trim());
                            millis.add((System.nanoTime() - sent) / 1e6);
                        }
                    }
                } catch (IOException ignored) {
                    // the socket closed
                }
            }, "measuring-subscriber");
            reader.start();
            server.awaitSubscriber(topic);
            for (int i = 0; i < UPDATES; i++) {
                http.publish(server.uri("/.well-known/mercure"), server.publisherToken(), "topic", topic,
                        "data", "sent=" + System.nanoTime());
                Thread.sleep(20);
            }
            reader.join(10_000);
        }
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return new Latencies(sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.99)));
    }

    /** {@link #SLOW} connections sending a header byte a second, each reopened when the server closes it. */
    private static void slowloris(int port, AtomicBoolean loading, AtomicInteger closed) {
        List<Socket> sockets = new ArrayList<>();
        try {
            while (loading.get()) {
                while (sockets.size() < SLOW) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    s.getOutputStream().write("GET /.well-known/mercure?topic=slow HTTP/1.1\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    sockets.add(s);
                }
                for (int i = sockets.size() - 1; i >= 0; i--) {
                    try {
                        OutputStream out = sockets.get(i).getOutputStream();
                        out.write('x');
                        out.flush();
                    } catch (IOException closedByServer) {
                        sockets.remove(i).close();
                        closed.incrementAndGet();
                    }
                }
                Thread.sleep(1000);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    /** Opens {@link #NEWCOMERS} subscribers one after another; the longest any took to get its stream. */
    private static long newcomers(TestServer server) throws IOException {
        long slowest = 0;
        for (int i = 0; i < NEWCOMERS; i++) {
            long start = System.nanoTime();
            try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=new-" + i)) {
                client.awaitBody(":\n\n", Duration.ofSeconds(10));
            }
            slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
        }
        return slowest;
    }

    private record Latencies(double p50, double p99) {
        @Override
        public String toString() {
            return String.format("%.1f ms / %.1f ms", p50, p99);
        }
    }
}
