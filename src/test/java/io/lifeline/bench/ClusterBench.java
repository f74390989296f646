package io.lifeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Child;
import io.lifeline.testing.RedisServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Lifeline across nodes on one Redis, measured on this machine: 100,000 idle subscribers spread over six nodes (one
 * process may hold about 19,900 connections here, the load client too, so each node has a load process of its own),
 * heartbeats on schedule, each node's heap per subscriber, one publish reaching all of them, and the throughput of
 * publishing through Redis beside the in-memory transport of one node, in the same run. Not part of the test
 * command:
 *
 * <pre>mvn -B test -Dtest=ClusterBench -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * <p>{@code -Dlifeline.bench.nodes} (6) and {@code -Dlifeline.bench.subscribers} (100,000) scale it. The nodes run
 * pinned to one core, the load processes and publishers on the other, Redis where the kernel puts it, with
 * {@code appendfsync always} and a higher priority (thirteen JVMs share the two cores), and the nodes with a Redis
 * timeout and node timeout of 15 s. Each node's subscribers connect in turn. The table lands in
 * {@code target/bench/cluster.md}.</p>
 */
class ClusterBench {

    private static final int NODES = Integer.getInteger("lifeline.bench.nodes", 6);
    private static final int SUBSCRIBERS = Integer.getInteger("lifeline.bench.subscribers", 100_000);
    private static final int TOPICS = 1000;
    private static final int GAP_WINDOW_SECONDS = 30;
    private static final int THROUGHPUT_SECONDS = 10;
    private static final int ONE_TOPIC_UPDATES = 20;
    private static final int PAYLOAD = 100;
    private static final Pattern CONNECTED = Pattern.compile("connected=(\\d+) failed=(\\d+) refused=(\\d+) "
            + "seconds=([0-9.]+)");
    private static final Pattern GAPS = Pattern.compile("gaps p50=([0-9.NaN]+) p99=([0-9.NaN]+) max=([0-9.NaN]+)");
    private static final Pattern EVENTS = Pattern.compile("events=(\\d+) last=(\\d+)");

    private final StringBuilder table = new StringBuilder("| measure | value |\n|---|---|\n");

    @Test
    void sixNodesOnOneRedisHoldAHundredThousandSubscribers() throws Exception {
        int perNode = (SUBSCRIBERS + NODES - 1) / NODES;
        assertTrue(perNode <= 19_000, "at most 19,000 subscribers per node and load process here: " + perNode);
        List<BenchServer.Lifeline> nodes = new ArrayList<>();
        List<Agent> agents = new ArrayList<>();
        try (RedisServer redis = RedisServer.start()) {
            // Thirteen JVMs share two cores here: Redis goes first, or its answers come late for every node.
            Child.run("renice", "-n", "-10", "-p", Long.toString(redis.pid()));
            long[] heapAtZero = new long[NODES];
            for (int i = 0; i < NODES; i++) {
                BenchServer.Lifeline node = new BenchServer.Lifeline("node-" + i, freePort(), SideBySideBench.JVM,
                        Map.of("LIFELINE_TRANSPORT", redis.uri(), "LIFELINE_NODE_NAME", "node-" + i,
                                "LIFELINE_REDIS_TIMEOUT", "15s", "LIFELINE_NODE_TIMEOUT", "15s"));
                node.start();
                nodes.add(node);
            }
            for (int i = 0; i < NODES; i++) {
                heapAtZero[i] = nodes.get(i).liveHeapBytes();
            }
            long connected = 0;
            for (int i = 0; i < NODES; i++) { // one node at a time: each compiles its code while it connects
                agents.add(Agent.start(nodes.get(i).port, perNode));
                Matcher m = agents.get(i).awaitLine(CONNECTED, Duration.ofMinutes(10));
                connected += Long.parseLong(m.group(1));
                row("node-" + i + ": subscribers connected, in s", m.group(1) + " in " + m.group(4));
                assertEquals(perNode, Integer.parseInt(m.group(1)), "node-" + i + ": " + m.group());
            }
            row("subscribers connected in all", String.format(Locale.ROOT, "%,d on %d nodes", connected, NODES));

            for (Agent a : agents) {
                a.command("gaps-on");
            }
            Thread.sleep(GAP_WINDOW_SECONDS * 1000L); // the measurement window, not a synchronisation
            double worstP99 = 0;
            double worstMax = 0;
            for (Agent a : agents) {
                Matcher m = a.ask("gaps", GAPS);
                System.out.println("  heartbeat gaps of a load process: " + m.group());
                worstP99 = Math.max(worstP99, Double.parseDouble(m.group(2)));
                worstMax = Math.max(worstMax, Double.parseDouble(m.group(3)));
            }
            double interval = Double.parseDouble(BenchServer.HEARTBEAT) * 1000;
            row("heartbeat every " + BenchServer.HEARTBEAT + " s: lateness p99 / max (ms), worst node",
                    String.format(Locale.ROOT, "%.0f / %.0f", worstP99 - interval, worstMax - interval));

            double heapSum = 0;
            StringBuilder heaps = new StringBuilder();
            for (int i = 0; i < NODES; i++) {
                double perSubscriber = (nodes.get(i).liveHeapBytes() - heapAtZero[i]) / 1024.0 / perNode;
                heapSum += perSubscriber;
                heaps.append(heaps.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f",
                        perSubscriber));
            }
            row("heap per subscriber, each node (KiB)", heaps + String.format(Locale.ROOT, " (mean %.1f)",
                    heapSum / NODES));

            long before = events(agents);
            long published = System.nanoTime();
            try (Publisher publisher = new Publisher(nodes.get(0).address(), nodes.get(0).dialect())) {
                assertEquals(200, publisher.publish("all", PAYLOAD));
            }
            long last = awaitEvents(agents, before + connected, Duration.ofSeconds(120));
            row("one publish on node-0 to all " + String.format(Locale.ROOT, "%,d", connected)
                    + ": time to the last delivery (ms)", String.format(Locale.ROOT, "%.0f", (last - published) / 1e6));

            throughput("Redis, " + NODES + " nodes", nodes, agents, connected);
            for (Agent a : agents) {
                a.close();
            }
            agents.clear();
            for (BenchServer.Lifeline node : nodes) {
                node.close();
            }
            nodes.clear();

            BenchServer.Lifeline memory = new BenchServer.Lifeline("memory", freePort(), SideBySideBench.JVM,
                    Map.of());
            memory.start();
            nodes.add(memory);
            agents.add(Agent.start(memory.port, perNode));
            Matcher m = agents.get(0).awaitLine(CONNECTED, Duration.ofMinutes(10));
            throughput("memory, 1 node", nodes, agents, Long.parseLong(m.group(1)));
        } finally {
            for (Agent a : agents) {
                System.out.println("  load process said: " + String.join(" | ", a.child.lines()));
                a.close();
            }
            for (BenchServer.Lifeline node : nodes) {
                if (node.child != null) {
                    node.child.lines().stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                            .limit(20).forEach(l -> System.out.println("  " + node.name + ": " + l));
                }
                node.close();
            }
            Path out = Path.of("target", "bench");
            Files.createDirectories(out);
            Files.writeString(out.resolve("cluster.md"), table.toString());
            System.out.println(table);
        }
    }

    /**
     * Publishes flat out for a while to the thousand small topics (one publisher per node, each to its own node),
     * then {@value #ONE_TOPIC_UPDATES} updates to the one topic everybody holds, and reports what went through.
     */
    private void throughput(String label, List<BenchServer.Lifeline> nodes, List<Agent> agents, long subscribers)
            throws Exception {
        long before = events(agents);
        AtomicLong published = new AtomicLong();
        long start = System.nanoTime();
        long stop = start + THROUGHPUT_SECONDS * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < nodes.size(); p++) {
                BenchServer.Lifeline node = nodes.get(p);
                int first = p;
                done.add(pool.submit(() -> {
                    try (Publisher publisher = new Publisher(node.address(), node.dialect())) {
                        for (int i = first; System.nanoTime() < stop; i += nodes.size()) {
                            assertEquals(200, publisher.publish("m" + (i % TOPICS), PAYLOAD));
                            published.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(THROUGHPUT_SECONDS + 60L, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long expected = published.get() * subscribers / TOPICS;
        long last = awaitEvents(agents, before + expected, Duration.ofSeconds(120));
        row(label + ": 1,000 topics, publishes/s (" + nodes.size() + " publishers)",
                String.format(Locale.ROOT, "%,.0f", published.get() / seconds));
        row(label + ": 1,000 topics, deliveries/s (" + String.format(Locale.ROOT, "%,d", subscribers / TOPICS)
                + " per update)", String.format(Locale.ROOT, "%,.0f", expected / ((last - start) / 1e9)));

        before = events(agents);
        start = System.nanoTime();
        try (Publisher publisher = new Publisher(nodes.get(0).address(), nodes.get(0).dialect())) {
            for (int i = 0; i < ONE_TOPIC_UPDATES; i++) {
                assertEquals(200, publisher.publish("all", PAYLOAD));
            }
        }
        last = awaitEvents(agents, before + ONE_TOPIC_UPDATES * subscribers, Duration.ofSeconds(300));
        row(label + ": 1 topic x " + String.format(Locale.ROOT, "%,d", subscribers) + ", deliveries/s ("
                + ONE_TOPIC_UPDATES + " updates back to back)", String.format(Locale.ROOT, "%,.0f",
                ONE_TOPIC_UPDATES * subscribers / ((last - start) / 1e9)));
    }

    private static long events(List<Agent> agents) throws IOException {
        long sum = 0;
        for (Agent a : agents) {
            sum += Long.parseLong(a.ask("events", EVENTS).group(1));
        }
        return sum;
    }

    /** Polls the agents until they have received {@code target} events in all; returns when the last arrived. */
    private static long awaitEvents(List<Agent> agents, long target, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long sum = 0;
            long last = 0;
            for (Agent a : agents) {
                Matcher m = a.ask("events", EVENTS);
                sum += Long.parseLong(m.group(1));
                last = Math.max(last, Long.parseLong(m.group(2)));
            }
            if (sum >= target) {
                return last;
            }
            assertTrue(System.nanoTime() < deadline, "events " + sum + " of " + target + " within " + within);
            Thread.sleep(50);
        }
    }

    private void row(String measure, String value) {
        table.append("| ").append(measure).append(" | ").append(value).append(" |\n");
        System.out.println("  " + measure + ": " + value);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A load process ({@link ClusterLoadAgent}) on the load core, and its command line. */
    private static final class Agent implements AutoCloseable {
        private final Child child;

        private Agent(Child child) {
            this.child = child;
        }

        static Agent start(int port, int subscribers) throws IOException {
            List<String> command = new ArrayList<>(List.of("taskset", "-c", "0", "java", "-XX:+UseSerialGC",
                    "-Xmx1g", "-cp", System.getProperty("java.class.path"), ClusterLoadAgent.class.getName(),
                    Integer.toString(port), Integer.toString(subscribers),
                    "/.well-known/mercure?topic=all&topic=m%d", Integer.toString(TOPICS)));
            return new Agent(Child.start("agent-" + port, command));
        }

        Matcher awaitLine(Pattern pattern, Duration within) {
            String line = child.await(within, pattern.pattern(), l -> pattern.matcher(l).find());
            Matcher m = pattern.matcher(line);
            assertTrue(m.find());
            return m;
        }

        void command(String command) throws IOException {
            OutputStream in = child.process().getOutputStream();
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** Sends a command and returns the match of its answer: the first answer line after those already read. */
        synchronized Matcher ask(String command, Pattern answer) throws IOException {
            int seen = child.lines().size();
            command(command);
            String line = io.lifeline.testing.Poll.forValue(Duration.ofSeconds(30), command + " answered", () -> {
                List<String> lines = child.lines();
                for (int i = seen; i < lines.size(); i++) {
                    if (answer.matcher(lines.get(i)).find()) {
                        return lines.get(i);
                    }
                }
                return null;
            });
            Matcher m = answer.matcher(line);
            assertTrue(m.find());
            return m;
        }

        @Override
        public void close() {
            try {
                command("quit");
                child.await(Duration.ofSeconds(30), "quit", l -> l.equals("quit"));
            } catch (IOException | AssertionError e) {
                // killed below either way
            }
            child.close();
        }
    }
}
