package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.metrics.HubMetrics;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many subscribers at once, and many coming and going: no thread per subscriber, and nothing left behind.
 */
class ManySubscribersTest {

    private static final int IDLE_SUBSCRIBERS = 5_000;
    private static final int CYCLES = 2_000;
    /**
     * Jetty's pool may grow to 200 threads under a burst of connections; the hub adds its timer and a few writers.
     * A thread per subscriber would need thousands.
     */
    private static final int THREAD_BOUND = 300;
    private static final String TOPIC = "https://example.com/many";

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(Setting.HEARTBEAT, "30s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void fiveThousandIdleSubscribersFromOneNonBlockingClientNeedNoThreadEachAndAllGetAnUpdate() throws IOException {
        long descriptors = ((com.sun.management.UnixOperatingSystemMXBean)
                ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
        assertTrue(descriptors >= 2 * IDLE_SUBSCRIBERS + 2_000, "this JVM may open " + descriptors
                + " files; both ends of " + IDLE_SUBSCRIBERS + " connections need more: raise the hard limit "
                + "(ulimit -Hn) to at least " + (2 * IDLE_SUBSCRIBERS + 2_000));
        try (Selector selector = Selector.open(); Http http = new Http()) {
            List<Connection> connections = new ArrayList<>();
            for (int i = 0; i < IDLE_SUBSCRIBERS; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                channel.connect(new InetSocketAddress("127.0.0.1", server.port()));
                Connection c = new Connection(channel);
                connections.add(c);
                channel.register(selector, SelectionKey.OP_CONNECT, c);
            }
            pump(selector, connections, c -> c.received.indexOf(":\n\n") >= 0, Duration.ofSeconds(120));
            Poll.until(Duration.ofSeconds(30), IDLE_SUBSCRIBERS + " subscribers in the hub",
                    () -> server.hub().subscribers().size() == IDLE_SUBSCRIBERS);

            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            System.out.println("threads in this JVM with " + IDLE_SUBSCRIBERS + " idle subscribers: " + threads);
            assertTrue(threads < THREAD_BOUND, threads + " threads for " + IDLE_SUBSCRIBERS + " subscribers");

            Http.Response r = http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                    "topic", TOPIC, "data", "to everyone");
            assertEquals(200, r.status(), r.body());
            pump(selector, connections, c -> c.received.indexOf("data: to everyone") >= 0, Duration.ofSeconds(60));

            for (Connection c : connections) {
                c.channel.close(); // SO_LINGER 0: an RST each
            }
            selector.selectNow(); // a registered channel's socket is closed when its key is deregistered
            Poll.until(Duration.ofSeconds(30), "every subscriber released",
                    () -> server.hub().subscribers().isEmpty());
            assertCountersAddUp(server.hub().metrics());
        }
    }

    @Test
    void twoThousandMixedConnectAndDepartureCyclesLeaveNoSubscriberBehind() throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < CYCLES; i++) {
                int cycle = i;
                results.add(workers.submit(() -> {
                    RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + TOPIC
                            + "&topic=https://example.com/cycle/" + cycle);
                    client.awaitBody(":\n\n", Duration.ofSeconds(10));
                    switch (ThreadLocalRandom.current().nextInt(3)) {
                        case 0 -> {
                            client.fin();
                            client.awaitEof(Duration.ofSeconds(5));
                            client.close();
                        }
                        case 1 -> client.reset();
                        default -> {
                            client.drain();
                            client.close();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get();
            }
        } finally {
            workers.shutdownNow();
        }
        Poll.until(Duration.ofSeconds(10), "no subscriber left", () -> server.hub().subscribers().isEmpty());
        assertCountersAddUp(server.hub().metrics());
        Poll.until(Duration.ofSeconds(10), "no connection left",
                () -> server.connectedEndPoints() == 0);
        assertEquals(0, server.hub().metrics().queuedBytesTotal(), "bytes left queued");
    }

    private static void assertCountersAddUp(HubMetrics metrics) {
        Poll.until(Duration.ofSeconds(10), "started = live + ended with nothing live",
                () -> metrics.liveTotal() == 0 && metrics.startedTotal() == metrics.endedTotal());
    }

    /** One non-blocking subscriber connection and what it has received. */
    private static final class Connection {
        final SocketChannel channel;
        final StringBuilder received = new StringBuilder();
        boolean done;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    /** Drives every connection until each satisfies {@code done}. */
    private static void pump(Selector selector, List<Connection> connections,
                             java.util.function.Predicate<Connection> done, Duration within) throws IOException {
        connections.forEach(c -> c.done = false);
        int remaining = connections.size();
        long deadline = System.nanoTime() + within.toNanos();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        byte[] request = ("GET /.well-known/mercure?topic=" + TOPIC + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        while (remaining > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(remaining + " connections not done within " + within.toSeconds() + " s");
            }
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                Connection c = (Connection) key.attachment();
                if (key.isConnectable()) {
                    c.channel.finishConnect();
                    c.channel.write(ByteBuffer.wrap(request));
                    key.interestOps(SelectionKey.OP_READ);
                } else if (key.isReadable()) {
                    buffer.clear();
                    int n = c.channel.read(buffer);
                    if (n < 0) {
                        throw new AssertionError("the server closed a subscriber's connection");
                    }
                    c.received.append(new String(buffer.array(), 0, n, StandardCharsets.UTF_8));
                }
                if (!c.done && done.test(c)) {
                    c.done = true;
                    remaining--;
                }
            }
            selector.selectedKeys().clear();
        }
    }
}
