package io.lifeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Child;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Lifeline beside nginx+nchan (when Debian's {@code nginx-light} and {@code libnginx-mod-nchan} are installed) and,
 * for churn, beside the simplest async Jetty servlet: each server pinned to one core ({@code taskset -c 1}), this
 * JVM's load client and publishers to the other, the servers taken in turn within each run, medians over the runs.
 *
 * <p>Each figure per subscriber is (value at N - value at 0) / N. The Lifeline process runs with the serial collector
 * and the fixed heap its start-up line recommends for the 19,800 subscribers it may hold here (576 MiB).</p>
 *
 * <p>Not part of {@code mvn verify}: {@code mvn -B test -Dtest=SideBySideBench -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dlifeline.bench.runs=3}, {@code -Dlifeline.bench.subscribers=19500}); the table lands in
 * {@code target/bench/side-by-side.md} and the growth plot in {@code target/bench/side-by-side.svg}. It needs 2
 * cores, a hard open-files limit of 20,000 and {@code taskset}; one run takes about 9 minutes.</p>
 */
class SideBySideBench {

    private static final int RUNS = Integer.getInteger("lifeline.bench.runs", 3);
    /** Which servers to measure: {@code -Dlifeline.bench.servers=lifeline,nchan,plain} (all by default). */
    private static final List<String> SERVERS = List.of(System.getProperty("lifeline.bench.servers",
            "lifeline,nchan,plain,prototype").split(","));
    /**
     * Which measures to take: {@code -Dlifeline.bench.measures=connect,idle,fanOut,manyTopics,publish,churn} (all by
     * default;
     * a subset is for trying one change quickly, its table leaves the other rows empty).
     */
    private static final List<String> MEASURES = List.of(System.getProperty("lifeline.bench.measures",
            "connect,idle,fanOut,manyTopics,publish,churn").split(","));
    private static final int HELD = Integer.getInteger("lifeline.bench.subscribers", 19_500);
    private static final int[] LEVELS = java.util.stream.IntStream.concat(
            java.util.stream.IntStream.of(1_000, 5_000, 10_000).filter(n -> n < HELD), java.util.stream.IntStream.of(HELD))
            .toArray();
    /** Subscribers of the fan-out, connect and cleanup measures; 10,000 unless a quick try asks for fewer. */
    private static final int FAN_OUT = Integer.getInteger("lifeline.bench.fanOut", 10_000);
    /** How the rows name {@link #FAN_OUT}: "10,000". */
    private static final String N = String.format(Locale.ROOT, "%,d", FAN_OUT);
    private static final String MANY_TOPICS = String.format(Locale.ROOT, "1,000 topics x %d", FAN_OUT / 1000);
    private static final int PAYLOAD = 100;
    /** The churn before the warm churn measure. */
    private static final int WARM_UP_SECONDS = Integer.getInteger("lifeline.bench.churnWarmUp", 180);
    /** The JVMs' flags: {@code -Dlifeline.bench.jvm="..."}, by default what the embedded program recommends. */
    static final List<String> JVM = List.of(System.getProperty("lifeline.bench.jvm",
            "-XX:+UseSerialGC -Xms576m -Xmx576m -XX:NewRatio=7").trim().split("\\s+"));
    private static final Path OUT = Path.of("target", "bench");

    /** Each measure's values over the runs, by server. */
    private final Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
    /** By server, level: RSS/subscriber, heap/subscriber, CPU % of a core (last run). */
    private final Map<String, Map<Integer, double[]>> growth = new LinkedHashMap<>();

    @Test
    void lifelineBesideNchanAndAPlainServlet() throws Exception {
        requireKnown("lifeline.bench.servers", SERVERS, List.of("lifeline", "nchan", "plain", "prototype"));
        requireKnown("lifeline.bench.measures", MEASURES, List.of("connect", "idle", "fanOut", "manyTopics", "publish",
                "churn"));
        Child.run("taskset", "-a", "-p", "-c", "0", Long.toString(ProcessHandle.current().pid()));
        Files.createDirectories(OUT);
        boolean nchan = BenchServer.Nchan.installed() && SERVERS.contains("nchan");
        List<String> order = new ArrayList<>(List.of("lifeline", "nchan", "plain"));
        for (int run = 1; run <= RUNS; run++) {
            System.out.printf(Locale.ROOT, "run %d of %d: %s%n", run, RUNS, order);
            for (String which : order) {
                if (which.equals("lifeline") && SERVERS.contains("lifeline")) {
                    try (BenchServer lifeline = new BenchServer.Lifeline(24100 + run, JVM)) {
                        measure(lifeline);
                    }
                }
                if (which.equals("nchan") && nchan) {
                    try (BenchServer anchor = new BenchServer.Nchan(24200 + run, OUT.resolve("nchan"))) {
                        measure(anchor);
                    }
                }
                if (which.equals("plain") && SERVERS.contains("plain")) {
                    if (MEASURES.contains("churn")) {
                        try (BenchServer plain = new BenchServer.PlainServlet(24300 + run, JVM)) {
                            plain.start();
                            churn(plain);
                        }
                    }
                    if (MEASURES.contains("publish")) {
                        try (BenchServer plain = new BenchServer.PlainServlet(24500 + run, JVM)) {
                            plain.start();
                            publishCost(plain);
                        }
                    }
                }
            }
            order.add(order.remove(0)); // the next run takes the servers in another order
        }
        if (SERVERS.contains("prototype") && MEASURES.contains("connect")) {
            for (boolean servlet : new boolean[] {false, true}) {
                try (BenchServer prototype = new BenchServer.Prototype(24402 + (servlet ? 1 : 0), servlet, JVM)) {
                    prototype.start();
                    connectOnly(prototype, "cold");
                    connectOnly(prototype, "warm");
                }
            }
        }
        if (SERVERS.contains("prototype") && MEASURES.contains("fanOut")) {
            for (int run = 1; run <= RUNS; run++) {
                try (BenchServer floor = new BenchServer.Prototype(24406, true, JVM)) {
                    floor.start();
                    writeFloor(floor);
                }
            }
        }
        if (SERVERS.contains("prototype") && MEASURES.contains("idle")) {
            for (boolean servlet : new boolean[] {false, true}) {
                try (BenchServer prototype = new BenchServer.Prototype(24400 + (servlet ? 1 : 0), servlet, JVM)) {
                    prototype.start();
                    idle(prototype);
                }
            }
        }
        String table = table(nchan, BenchServer.Nchan.installed() ? "not measured" : "not installed");
        Files.writeString(OUT.resolve("side-by-side.md"), table);
        if (!growth.isEmpty()) { // a run without the idle measures leaves the last plot alone
            Files.writeString(OUT.resolve("side-by-side.svg"), GrowthPlot.svg(growth));
        }
        System.out.println(table);
    }

    /** Stops at once, naming what is known, when a list property names something unknown (a typo measures nothing). */
    private static void requireKnown(String property, List<String> given, List<String> known) {
        for (String name : given) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("-D" + property + ": '" + name + "' is not one of "
                        + String.join(",", known));
            }
        }
    }

    /**
     * Two processes of the server: the first measures how a freshly started one connects and cleans up, the second
     * starts with the idle measures, so that its value at 0 is a fresh process's, then goes on under load.
     */
    private void measure(BenchServer server) throws Exception {
        if (MEASURES.contains("connect")) {
            server.start();
            // A freshly started server: its first FAN_OUT subscribers, then 1,000 of them leave with a FIN.
            connectAndDepart(server, "cold");
            connectAndDepart(server, "warm");
            server.close();
        }
        server.start();
        if (MEASURES.contains("idle")) {
            idle(server);
        }
        if (MEASURES.contains("fanOut")) {
            fanOut(server);
        }
        if (MEASURES.contains("manyTopics")) {
            manyTopics(server);
        }
        if (MEASURES.contains("publish") && server instanceof BenchServer.Lifeline) {
            publishCost(server);
        }
        if (MEASURES.contains("churn")) {
            churn(server);
        }
    }

    /**
     * What one publish costs the server's core, with nobody subscribed: 20,000 updates over 16 connections, the
     * server's CPU time over them. For Lifeline, its publish path (a token verified, the form read, the update
     * numbered, kept and answered); for the bare servlet, a form read and an id written back: the floor.
     */
    private void publishCost(BenchServer server) throws Exception {
        publish(server, 16, 2_000, 0, 30, i -> "nobody" + (i % 1000)); // the same paths compiled first
        long[] before = server.cpuTicks();
        long published = publish(server, 16, 20_000, 0, 60, i -> "nobody" + (i % 1000));
        long[] after = server.cpuTicks();
        double ticks = (after[0] - before[0]) + (after[1] - before[1]);
        record(server, "publish CPU per update, nobody subscribed",
                ticks / BenchServer.CLOCK_TICKS_PER_SECOND / published * 1e6);
    }

    /**
     * The write floor: {@link #FAN_OUT} streams held by the simplest async servlet, and one thread writing each 100
     * byte event to all of them, at 2 a second for 10 s; the same publish-to-receive measure as the hub's.
     */
    private void writeFloor(BenchServer server) throws Exception {
        try (LoadClient client = new LoadClient(server.address())) {
            client.open(FAN_OUT, i -> server.subscribePath("shared"), "", 512, deadline(120));
            assertConnected(server, client, FAN_OUT);
            Thread.sleep(1000);
            client.latency.reset();
            client.recordLatency = true;
            long before = client.events.get();
            long sent = publish(server, 1, 20, 2, 10, i -> "shared");
            awaitCount(client.events::get, before + sent * FAN_OUT, 60);
            client.recordLatency = false;
            record(server, "publish-to-receive p99, " + N + " at 2/s", client.latency.percentileMillis(99));
            client.closeAll();
        }
    }

    /** Connects {@link #FAN_OUT} subscribers at once and records how long that took; the caller closes them. */
    private LoadClient connectBurst(BenchServer server, String label) throws Exception {
        LoadClient client = new LoadClient(server.address());
        try {
            long start = System.nanoTime();
            client.open(FAN_OUT, i -> server.subscribePath("t" + (i % 100)), "", 512, deadline(120));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertConnected(server, client, FAN_OUT);
            record(server, "connect " + N + " " + label, seconds);
            return client;
        } catch (Throwable e) {
            client.close();
            throw e;
        }
    }

    private void connectAndDepart(BenchServer server, String label) throws Exception {
        try (LoadClient client = connectBurst(server, label)) {
            // 1,000 leave with a FIN, 100 every 100 ms
            for (int i = 0; i < 10; i++) {
                client.leave(100);
                Thread.sleep(100);
            }
            awaitCount(() -> client.cleanup.count(), 1000, 30);
            record(server, "FIN cleanup p99 " + label, client.cleanup.percentileMillis(99));
            client.closeAll();
        }
        awaitDrained(server);
    }

    /**
     * Jetty's own floor for a burst of connects: the same burst as {@link #connectAndDepart} against a server that
     * only answers each stream with its head and a comment, through Jetty's core API or through an async servlet (so
     * that the two differ in the API alone). The prototype has no departure watch, so the client
     * closes every connection and the next burst waits until the server has let go of them (its open files).
     */
    private void connectOnly(BenchServer server, String label) throws Exception {
        long before = server.openFiles();
        try (LoadClient client = connectBurst(server, label)) {
            client.closeAll();
        }
        long deadline = deadline(60);
        while (server.openFiles() > before + 10 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private void idle(BenchServer server) throws Exception {
        awaitSettled(server);
        double[] zero = sample(server, 20);
        long rss0 = server.rssBytes();
        long heap0 = server.liveHeapBytes();
        try (LoadClient client = new LoadClient(server.address())) {
            int held = 0;
            for (int level : LEVELS) {
                client.open(level - held, i -> server.subscribePath("t" + (i % 1000)), "", 512, deadline(180));
                held = level;
                assertConnected(server, client, level);
                Thread.sleep(2000); // let the connects' garbage and compilations settle before sampling
                double[] cpu = sample(server, level == HELD ? 30 : 10);
                long rss = server.rssBytes();
                long heap = server.liveHeapBytes();
                double rssPer = (rss - rss0) / (double) level;
                double heapPer = heap < 0 ? Double.NaN : (heap - heap0) / (double) level;
                growth.computeIfAbsent(server.name, k -> new LinkedHashMap<>())
                        .put(level, new double[] {rssPer, heapPer, cpu[0] + cpu[1] - zero[0] - zero[1]});
                if (level == HELD) {
                    record(server, "RSS per idle subscriber", rssPer);
                    if (heap >= 0) {
                        record(server, "heap per idle subscriber", heapPer);
                    }
                    record(server, "idle CPU", cpu[0] + cpu[1]);
                    double beatsPerSecond = level / Double.parseDouble(BenchServer.HEARTBEAT);
                    record(server, "user CPU per heartbeat", (cpu[0] - zero[0]) / 100 / beatsPerSecond * 1e6);
                    record(server, "system CPU per heartbeat", (cpu[1] - zero[1]) / 100 / beatsPerSecond * 1e6);
                    record(server, "heartbeats received", (double) client.comments.get());
                }
            }
            client.closeAll();
        }
        awaitDrained(server);
    }

    /**
     * Waits, up to 90 s, until a freshly started server's CPU over 5 s stays below 2 % of a core: a JVM compiles for
     * a while after its start, and a value at 0 taken meanwhile (it was 4.6 % of a core) is subtracted from every
     * figure per subscriber.
     */
    private static void awaitSettled(BenchServer server) throws Exception {
        long deadline = deadline(90);
        double[] cpu;
        do {
            cpu = sample(server, 5);
        } while (cpu[0] + cpu[1] >= 2 && System.nanoTime() < deadline);
        System.out.printf(Locale.ROOT, "  %s: %.1f %% of a core before the idle measures%n", server.name,
                cpu[0] + cpu[1]);
    }

    /** CPU over {@code seconds}: {user, system} in percent of one core. */
    private static double[] sample(BenchServer server, int seconds) throws Exception {
        long[] before = server.cpuTicks();
        Thread.sleep(seconds * 1000L);
        long[] after = server.cpuTicks();
        double scale = 100.0 / BenchServer.CLOCK_TICKS_PER_SECOND / seconds;
        return new double[] {(after[0] - before[0]) * scale, (after[1] - before[1]) * scale};
    }

    private void fanOut(BenchServer server) throws Exception {
        try (LoadClient client = new LoadClient(server.address())) {
            client.open(FAN_OUT, i -> server.subscribePath("shared"), "", 512, deadline(120));
            assertConnected(server, client, FAN_OUT);
            Thread.sleep(1000);
            // flat out: 4 publishers, 200 updates in all, until the last delivery arrived (one publisher per
            // connection waits for each answer; a few of them keep a server busy where an update reaches thousands)
            int updates = 200;
            long start = System.nanoTime();
            long published = publish(server, 4, updates, 0, 60, i -> "shared");
            awaitCount(client.events::get, published * FAN_OUT, 60);
            record(server, "deliveries/s, 1 topic x " + N, client.events.get() / ((System.nanoTime() - start) / 1e9));
            for (int rate : new int[] {2, 100}) {
                client.latency.reset();
                client.recordLatency = true;
                long before = client.events.get();
                long sent = publish(server, 1, rate * 10, rate, 10, i -> "shared");
                awaitCount(client.events::get, before + sent * FAN_OUT, 60);
                client.recordLatency = false;
                record(server, "publish-to-receive p99, " + N + " at " + rate + "/s", client.latency.percentileMillis(99));
                record(server, "updates published in 10 s at " + rate + "/s", (double) sent);
            }
            client.closeAll();
        }
        awaitDrained(server);
    }

    private void manyTopics(BenchServer server) throws Exception {
        try (LoadClient client = new LoadClient(server.address())) {
            client.open(FAN_OUT, i -> server.subscribePath("m" + (i % 1000)), "", 512, deadline(120));
            assertConnected(server, client, FAN_OUT);
            Thread.sleep(1000);
            int updates = 20_000; // 16 publishers: each update reaches only 10, so answers pace them
            long start = System.nanoTime();
            long published = publish(server, 16, updates, 0, 60, i -> "m" + (i % 1000));
            awaitCount(client.events::get, published * (FAN_OUT / 1000), 60);
            record(server, "deliveries/s, " + MANY_TOPICS, client.events.get() / ((System.nanoTime() - start) / 1e9));
            client.closeAll();
        }
        awaitDrained(server);
    }

    /**
     * Churn twice: over the first 20 s, as a fresh server meets it, and warm, over 15 s after
     * {@value #WARM_UP_SECONDS} s more of churn: a JVM compiles the code it runs for minutes on one core, and a cycle
     * that runs more code compiles longer (on this machine Lifeline's rate still rose after two minutes). Records
     * "churn, first 20 s" and "churn, warm"; the warm-up's rounds of 10 s are printed.
     */
    private void churn(BenchServer server) throws Exception {
        try (LoadClient client = new LoadClient(server.address())) {
            String request = "GET " + server.subscribePath("churn") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n\r\n";
            client.cleanup.reset();
            record(server, "churn, first 20 s", client.churn(request, 64, 20) / 20.0);
            record(server, "FIN cleanup p99 during churn, first 20 s", client.cleanup.percentileMillis(99));
            for (int round = 0; round < WARM_UP_SECONDS / 10; round++) {
                System.out.printf(Locale.ROOT, "  %s: warming up, %.0f cycles/s%n", server.name,
                        client.churn(request, 64, 10) / 10.0);
            }
            double seconds = 15;
            client.cleanup.reset();
            record(server, "churn, warm", client.churn(request, 64, seconds) / seconds);
            record(server, "FIN cleanup p99 during churn, warm", client.cleanup.percentileMillis(99));
            if (server instanceof BenchServer.Lifeline lifeline) {
                awaitDrained(server);
                double started = lifeline.metric("lifeline_subscribers_started_total");
                double ended = lifeline.metric("lifeline_subscribers_ended_total");
                assertEquals(ended + lifeline.metric("lifeline_subscribers_live"), started, "started = live + ended");
            }
        }
    }

    /**
     * Publishes up to {@code updates} updates over {@code publishers} connections, each waiting for its answers,
     * paced at {@code perSecond} in all unless 0; stops at {@code seconds} (a server that answers slower than the
     * pace publishes fewer). Returns how many were published.
     */
    private static long publish(BenchServer server, int publishers, int updates, int perSecond, int seconds,
                                Function<Integer, String> topic) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        AtomicLong next = new AtomicLong();
        AtomicLong published = new AtomicLong();
        long start = System.nanoTime();
        long stop = start + seconds * 1_000_000_000L;
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                done.add(pool.submit(() -> {
                    try (Publisher publisher = new Publisher(server.address(), server.dialect())) {
                        for (long i = next.getAndIncrement(); i < updates && System.nanoTime() < stop;
                             i = next.getAndIncrement()) {
                            if (perSecond > 0) {
                                long due = start + i * 1_000_000_000L / perSecond;
                                while (System.nanoTime() < due) {
                                    Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
                                }
                            }
                            int status = publisher.publish(topic.apply((int) i), PAYLOAD);
                            if (status / 100 != 2) {
                                throw new IllegalStateException(server.name + " answered a publish " + status);
                            }
                            published.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(seconds + 60L, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return published.get();
    }

    /** Polls until the server no longer counts anyone connected (where it counts). */
    private static void awaitDrained(BenchServer server) throws Exception {
        long deadline = deadline(30);
        while (server.connectedByItsOwnCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(server.connectedByItsOwnCount() <= 0, server.name + " subscribers left");
    }

    private static void awaitCount(java.util.function.LongSupplier count, long target, int seconds)
            throws InterruptedException {
        long deadline = deadline(seconds);
        while (count.getAsLong() < target && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    private static long deadline(int seconds) {
        return System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    }

    private void record(BenchServer server, String measure, double value) {
        System.out.printf(Locale.ROOT, "  %s: %s = %.2f%n", server.name, measure, value);
        results.computeIfAbsent(measure, k -> new LinkedHashMap<>())
                .computeIfAbsent(server.name, k -> new ArrayList<>()).add(value);
    }

    private double median(String measure, String server) {
        List<Double> values = results.getOrDefault(measure, Map.of()).get(server);
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private String table(boolean nchan, String whyNoNchan) {
        StringBuilder t = new StringBuilder();
        t.append("Measured ").append(LocalDate.now()).append(", ").append(RUNS).append(" run(s), medians; each server on ")
                .append("one core, the load client on the other; ").append(HELD).append(" idle subscribers, heartbeat ")
                .append(BenchServer.HEARTBEAT).append(" s; Lifeline: ").append(String.join(" ", JVM)).append(".\n\n");
        t.append("| measure | Lifeline | ").append(nchan ? "nchan | Lifeline / nchan |" : "nchan (" + whyNoNchan + ") |").append('\n');
        t.append("|---|---|---|").append(nchan ? "---|" : "").append('\n');
        row(t, nchan, "RSS per idle subscriber", "KB", 1 / 1000.0, 1);
        row(t, nchan, "heap per idle subscriber", "KiB", 1 / 1024.0, 1);
        row(t, nchan, "idle CPU", "% of a core", 1, 1);
        row(t, nchan, "user CPU per heartbeat", "us", 1, 2);
        row(t, nchan, "system CPU per heartbeat", "us", 1, 2);
        row(t, nchan, "connect " + N + " cold", "s", 1, 2);
        row(t, nchan, "connect " + N + " warm", "s", 1, 2);
        row(t, nchan, "deliveries/s, 1 topic x " + N, "", 1, 0);
        row(t, nchan, "deliveries/s, " + MANY_TOPICS, "", 1, 0);
        row(t, nchan, "publish-to-receive p99, " + N + " at 2/s", "ms", 1, 1);
        row(t, nchan, "publish-to-receive p99, " + N + " at 100/s", "ms", 1, 1);
        row(t, nchan, "updates published in 10 s at 100/s", "of 1,000", 1, 0);
        row(t, nchan, "churn, first 20 s", "cycles/s", 1, 0);
        row(t, nchan, "churn, warm", "cycles/s", 1, 0);
        row(t, nchan, "FIN cleanup p99 cold", "ms", 1, 2);
        row(t, nchan, "FIN cleanup p99 warm", "ms", 1, 2);
        row(t, nchan, "FIN cleanup p99 during churn, first 20 s", "ms", 1, 2);
        row(t, nchan, "FIN cleanup p99 during churn, warm", "ms", 1, 2);
        row(t, nchan, "publish CPU per update, nobody subscribed", "us", 1, 1);
        double plainCold = median("churn, first 20 s", "plain async servlet");
        double plainWarm = median("churn, warm", "plain async servlet");
        if (!Double.isNaN(plainCold)) {
            t.append(String.format(Locale.ROOT, "%nChurn of the simplest async Jetty servlet (head, one comment, "
                    + "complete; Jetty closes on the FIN), same cycle, same core: %.0f cycles/s over the first 20 s, "
                    + "%.0f warm; Lifeline / it: %.2f over the first 20 s, %.2f warm.%n", plainCold, plainWarm,
                    median("churn, first 20 s", "Lifeline") / plainCold,
                    median("churn, warm", "Lifeline") / plainWarm));
        }
        double coreHeap = median("heap per idle subscriber", "core handler streams");
        double servletHeap = median("heap per idle subscriber", "servlet streams");
        if (!Double.isNaN(coreHeap)) {
            t.append(String.format(Locale.ROOT, "%nThe servlet API's share (one run; idle streams with heartbeats and "
                    + "nothing else, the same Jetty, %,d held): through Jetty's core handler API %.1f KiB of heap, "
                    + "%.1f KB of RSS and %.2f us of user CPU per heartbeat per stream; through an async servlet "
                    + "%.1f KiB, %.1f KB and %.2f us.%n", HELD, coreHeap / 1024,
                    median("RSS per idle subscriber", "core handler streams") / 1000,
                    median("user CPU per heartbeat", "core handler streams"), servletHeap / 1024,
                    median("RSS per idle subscriber", "servlet streams") / 1000,
                    median("user CPU per heartbeat", "servlet streams")));
        }
        double floorCold = median("connect " + N + " cold", "core handler streams");
        if (!Double.isNaN(floorCold)) {
            t.append(String.format(Locale.ROOT, "%nJetty's own floor for a burst of connects (the core handler "
                    + "prototype: head and a comment per stream, no hub, no watch, no log line; same core, same "
                    + "client): %,d connected in %s cold, %s warm; the same streams through an async servlet "
                    + "%s and %s; nchan %s and %s.%n", FAN_OUT,
                    shown(floorCold, 2, " s"), shown(median("connect " + N + " warm", "core handler streams"), 2, " s"),
                    shown(median("connect " + N + " cold", "servlet streams"), 2, " s"),
                    shown(median("connect " + N + " warm", "servlet streams"), 2, " s"),
                    shown(median("connect " + N + " cold", "nchan"), 2, " s"),
                    shown(median("connect " + N + " warm", "nchan"), 2, " s")));
        }
        double floorCpu = median("idle CPU", "core handler streams");
        if (!Double.isNaN(floorCpu)) {
            t.append(String.format(Locale.ROOT, "%nIdle CPU at %,d with the same heartbeats: the core handler "
                    + "prototype %s, servlet streams %s, Lifeline %s, nchan %s (%% of a core).%n", HELD,
                    shown(floorCpu, 1, " %"), shown(median("idle CPU", "servlet streams"), 1, " %"),
                    shown(median("idle CPU", "Lifeline"), 1, " %"), shown(median("idle CPU", "nchan"), 1, " %")));
        }
        targets(t);
        if (growth.isEmpty()) {
            return t.toString();
        }
        t.append("\nGrowth (last run): per subscriber, (value at N - value at 0) / N; CPU in % of a core above idle.\n\n");
        t.append("| server | N | RSS per subscriber (KB) | heap per subscriber (KiB) | CPU above idle (%) |\n|---|---|---|---|---|\n");
        growth.forEach((server, levels) -> levels.forEach((n, v) -> t.append(String.format(Locale.ROOT,
                "| %s | %,d | %.1f | %s | %.1f |%n", server, n, v[0] / 1000,
                Double.isNaN(v[1]) ? "-" : String.format(Locale.ROOT, "%.1f", v[1] / 1024), v[2]))));
        return t.toString();
    }

    /** The targets, each with its figure from this run's medians and whether it is reached; "-" where not measured. */
    private void targets(StringBuilder t) {
        String plain = "plain async servlet";
        t.append("\nTargets (medians of this run's figures):\n\n| target | figure | reached |\n|---|---|---|\n");
        target(t, "churn over the first 20 s >= 0.8x the bare servlet's", median("churn, first 20 s", "Lifeline")
                / median("churn, first 20 s", plain), 0.8, true, "x");
        target(t, "churn warm >= 0.5x the bare servlet's", median("churn, warm", "Lifeline")
                / median("churn, warm", plain), 0.5, true, "x");
        target(t, N + " connecting to a fresh process <= 1.5x the servlet streams'", median("connect " + N + " cold",
                "Lifeline") / median("connect " + N + " cold", "servlet streams"), 1.5, false, "x");
        target(t, "(the same against nchan)", median("connect " + N + " cold", "Lifeline")
                / median("connect " + N + " cold", "nchan"), Double.NaN, false, "x");
        target(t, "FIN to release p99 warm < 10 ms", median("FIN cleanup p99 warm", "Lifeline"), 10, false, " ms");
        target(t, "FIN to release p99 during churn (64 in flight, warm) < 20 ms",
                median("FIN cleanup p99 during churn, warm", "Lifeline"), 20, false, " ms");
        target(t, "FIN to release p99 on a fresh process < 50 ms", median("FIN cleanup p99 cold", "Lifeline"), 50,
                false, " ms");
        String latency = "publish-to-receive p99, " + N + " at 2/s";
        target(t, "publish-to-receive p99 at " + N + ", 2/s <= 1.2x nchan's", median(latency, "Lifeline")
                / median(latency, "nchan"), 1.2, false, "x");
        target(t, "the same <= 1.5x the write floor's", median(latency, "Lifeline") / median(latency,
                "servlet streams"), 1.5, false, "x");
        target(t, MANY_TOPICS + ": deliveries/s >= 0.8x nchan's", median("deliveries/s, " + MANY_TOPICS, "Lifeline")
                / median("deliveries/s, " + MANY_TOPICS, "nchan"), 0.8, true, "x");
        target(t, "publish path CPU <= 2x the bare POST servlet's", median("publish CPU per update, nobody subscribed",
                "Lifeline") / median("publish CPU per update, nobody subscribed", plain), 2, false, "x");
        target(t, "1 topic x " + N + ": deliveries/s >= 4x nchan's", median("deliveries/s, 1 topic x " + N,
                "Lifeline") / median("deliveries/s, 1 topic x " + N, "nchan"), 4, true, "x");
    }

    private static void target(StringBuilder t, String what, double figure, double bound, boolean atLeast,
                               String unit) {
        String reached = Double.isNaN(figure) ? "not measured" : Double.isNaN(bound) ? "-"
                : (atLeast ? figure >= bound : figure <= bound) ? "yes" : "no";
        t.append("| ").append(what).append(" | ").append(Double.isNaN(figure) ? "-"
                : String.format(Locale.ROOT, "%.2f%s", figure, unit)).append(" | ").append(reached).append(" |\n");
    }

    /** Asserts that {@code expected} subscribers are connected, saying how many failed and were refused if not. */
    private static void assertConnected(BenchServer server, LoadClient client, int expected) {
        assertEquals(expected, client.connected.get(), server.name + " connected (failed " + client.failed.get()
                + ", refused " + client.refused.get() + ")");
    }

    /** A value with {@code decimals} decimals and its unit, or "not measured" when no run measured it. */
    private static String shown(double value, int decimals, String unit) {
        return Double.isNaN(value) ? "not measured"
                : String.format(Locale.ROOT, "%,." + decimals + "f", value) + unit;
    }

    private void row(StringBuilder t, boolean nchan, String measure, String unit, double scale, int decimals) {
        double l = median(measure, "Lifeline") * scale;
        double n = median(measure, "nchan") * scale;
        String f = "%,." + decimals + "f";
        t.append("| ").append(measure).append(unit.isEmpty() ? "" : " (" + unit + ")").append(" | ")
                .append(Double.isNaN(l) ? "-" : String.format(Locale.ROOT, f, l)).append(" | ");
        if (nchan) {
            t.append(Double.isNaN(n) ? "-" : String.format(Locale.ROOT, f, n)).append(" | ")
                    .append(Double.isNaN(l) || Double.isNaN(n) || n == 0 ? "-" : String.format(Locale.ROOT, "%.2f", l / n))
                    .append(" |");
        } else {
            t.append("- |");
        }
        t.append('\n');
    }
}
