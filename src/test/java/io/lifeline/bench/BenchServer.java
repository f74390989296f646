package io.lifeline.bench;

import io.lifeline.testing.Child;
import io.lifeline.testing.Poll;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server the benchmark measures, started as its own process pinned to one core ({@code taskset}), and what the
 * benchmark reads from outside it: CPU time and RSS of its process tree from {@code /proc}, and for a JVM its live
 * heap after a full collection ({@code jcmd}).
 */
abstract class BenchServer implements AutoCloseable {

    /** The core the server runs on; the load client runs on the other. */
    static final String SERVER_CPU = "1";
    static final String HEARTBEAT = "5";
    static final int CLOCK_TICKS_PER_SECOND = 100;

    final String name;
    final int port;
    protected Child child;

    BenchServer(String name, int port) {
        this.name = name;
        this.port = port;
    }

    abstract void start() throws IOException;

    /** The path a subscriber to {@code topic} GETs. */
    abstract String subscribePath(String topic);

    abstract Publisher.Dialect dialect();

    /** Live heap bytes after a full collection, or -1 for a server that is not a JVM. */
    long liveHeapBytes() throws IOException {
        return -1;
    }

    /** Subscribers the server itself counts as connected, or -1 when it does not say. */
    long connectedByItsOwnCount() throws IOException {
        return -1;
    }

    /** A JVM's live heap after a full collection, in bytes, through {@code jcmd}. */
    protected long jvmLiveHeap() throws IOException {
        String pid = Long.toString(child.pid());
        Child.run("jcmd", pid, "GC.run");
        String info = Child.run("jcmd", pid, "GC.heap_info");
        long kib = 0;
        Matcher m = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K").matcher(info);
        while (m.find()) {
            kib += Long.parseLong(m.group(1));
        }
        return kib * 1024;
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** User and system CPU of the process tree, in clock ticks. */
    long[] cpuTicks() throws IOException {
        long[] total = new long[2];
        for (long pid : pids()) {
            String[] stat = statFields(pid);
            if (stat != null) {
                total[0] += Long.parseLong(stat[11]); // utime, the stat file's 14th field
                total[1] += Long.parseLong(stat[12]); // stime, its 15th
            }
        }
        return total;
    }

    /** Resident set of the process tree, in bytes. */
    long rssBytes() throws IOException {
        long kib = 0;
        for (long pid : pids()) {
            Path status = Path.of("/proc", Long.toString(pid), "status");
            if (Files.exists(status)) {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            }
        }
        return kib * 1024;
    }

    /** Open files of the process tree: its connections, once its listening socket and own files are counted. */
    long openFiles() throws IOException {
        long n = 0;
        for (long pid : pids()) {
            Path fds = Path.of("/proc", Long.toString(pid), "fd");
            if (Files.isDirectory(fds)) {
                try (var entries = Files.list(fds)) {
                    n += entries.count();
                }
            }
        }
        return n;
    }

    private List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        pids.add(child.pid());
        child.process().toHandle().descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /** The fields of {@code /proc/PID/stat} from the third (the state) on, or null once the process is gone. */
    private static String[] statFields(long pid) {
        try {
            String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return text.substring(text.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    void awaitListening() {
        Poll.until(Duration.ofSeconds(60), name + " listens on " + port, () -> {
            if (!child.process().isAlive() && child.process().toHandle().descendants().findAny().isEmpty()) {
                throw new IllegalStateException(name + " exited (" + child.process().exitValue() + "): "
                        + child.output());
            }
            try (Socket s = new Socket()) {
                s.connect(address(), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Stops the server's processes and waits for its port to close; {@link #start()} may start it again. */
    @Override
    public void close() {
        if (child != null) {
            child.close();
            child = null;
            Poll.until(Duration.ofSeconds(20), name + "'s port " + port + " closes", () -> {
                try (Socket s = new Socket()) {
                    s.connect(address(), 200);
                    return false;
                } catch (IOException e) {
                    return true;
                }
            });
        }
    }

    /**
     * A JVM of the test classpath running {@code mainClass}, pinned to the server's core. The test classpath holds
     * both SLF4J bindings: yardsticks log through {@code java.util.logging}, as the tests do, unless {@code jvm} names
     * another.
     */
    static List<String> java(List<String> jvm, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of("java"));
        if (jvm.stream().noneMatch(flag -> flag.startsWith("-Dslf4j.provider="))) {
            command.add("-Dslf4j.provider=org.slf4j.jul.JULServiceProvider");
        }
        command.addAll(jvm);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return pinned(command);
    }

    /**
     * The embedded program of the test classpath on {@code port}, pinned to the server's core, logging through Logback
     * as the runnable jar does (the test classpath holds both SLF4J bindings).
     */
    static List<String> program(List<String> jvm, int port) {
        List<String> flags = new ArrayList<>(jvm);
        flags.add("-Dslf4j.provider=ch.qos.logback.classic.spi.LogbackServiceProvider");
        return java(flags, "io.lifeline.server.Main", "--port", Integer.toString(port));
    }

    static List<String> pinned(List<String> command) {
        List<String> all = new ArrayList<>(List.of("taskset", "-c", SERVER_CPU));
        all.addAll(command);
        return all;
    }

    /** The embedded program, with the collector and heap its start-up line recommends for its subscriber limit. */
    static final class Lifeline extends BenchServer {
        static final String KEY = "side-by-side-benchmark-key-0123456789";
        final List<String> jvm;
        final Map<String, String> env;

        Lifeline(int port, List<String> jvm) {
            this("Lifeline", port, jvm, Map.of());
        }

        /** @param env settings beside the benchmark's own, which they override */
        Lifeline(String name, int port, List<String> jvm, Map<String, String> env) {
            super(name, port);
            this.jvm = jvm;
            this.env = env;
        }

        @Override
        void start() throws IOException {
            ProcessBuilder builder = new ProcessBuilder(program(jvm, port));
            builder.environment().putAll(Map.of("LIFELINE_JWT_KEY", KEY, "LIFELINE_ANONYMOUS", "true",
                    "LIFELINE_HEARTBEAT", HEARTBEAT + "s", "LIFELINE_MAX_SUBSCRIBERS_PER_ADDRESS", "0",
                    "LIFELINE_HOST", "127.0.0.1", "LIFELINE_MAX_SUBSCRIBERS", "19800"));
            builder.environment().putAll(env);
            child = Child.start(name, builder);
            child.await(Duration.ofSeconds(60), "ready", line -> line.contains("ready on"));
        }

        @Override
        String subscribePath(String topic) {
            return "/.well-known/mercure?topic=" + topic;
        }

        @Override
        Publisher.Dialect dialect() {
            return Publisher.mercure(Tokens.publisher(KEY, "*"));
        }

        @Override
        long liveHeapBytes() throws IOException {
            return jvmLiveHeap();
        }

        @Override
        long connectedByItsOwnCount() throws IOException {
            return (long) metric("lifeline_subscribers_live");
        }

        /** A metric's value summed over its series, from {@code /metrics}. */
        double metric(String name) throws IOException {
            String text = Child.run("curl", "-s", "http://127.0.0.1:" + port + "/metrics");
            double sum = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        }
    }

    /** nginx with the nchan module, one worker: the anchor. Available when Debian's packages are installed. */
    static final class Nchan extends BenchServer {
        static final Path NGINX = Path.of("/usr/sbin/nginx");
        static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_nchan_module.so");
        final Path dir;

        Nchan(int port, Path dir) {
            super("nchan", port);
            this.dir = dir;
        }

        static boolean installed() {
            return Files.isExecutable(NGINX) && Files.exists(MODULE);
        }

        @Override
        void start() throws IOException {
            Files.createDirectories(dir.resolve("tmp"));
            String d = dir.toAbsolutePath().toString();
            String conf = String.join("\n",
                    "load_module " + MODULE + ";",
                    "daemon off; worker_processes 1; worker_rlimit_nofile 20000; error_log " + d + "/error.log warn; pid " + d + "/nginx.pid;",
                    // nchan takes connection slots of its own beside its sockets: slots beyond the open-files limit
                    "events { worker_connections 120000; use epoll; multi_accept on; }",
                    "http {",
                    "  client_body_temp_path " + d + "/tmp; proxy_temp_path " + d + "/tmp; fastcgi_temp_path " + d
                            + "/tmp; uwsgi_temp_path " + d + "/tmp; scgi_temp_path " + d + "/tmp;",
                    "  access_log off; nchan_shared_memory_size 512M;",
                    "  server {",
                    "    listen 127.0.0.1:" + port + " backlog=4096;",
                    "    location ~ ^/sub/(.+)$ { nchan_subscriber eventsource; nchan_channel_id $1;"
                            + " nchan_eventsource_ping_interval " + HEARTBEAT + "; nchan_eventsource_ping_comment hb;"
                            + " nchan_subscriber_timeout 0; nchan_subscriber_first_message newest; }",
                    "    location ~ ^/pub/(.+)$ { nchan_publisher; nchan_channel_id $1;"
                            + " nchan_message_buffer_length 1000; nchan_message_timeout 60s; }",
                    "  }",
                    "}", "");
            Path file = dir.resolve("nginx.conf").toAbsolutePath();
            Files.writeString(file, conf);
            // a session of its own: nginx signals its workers by process id, and never reaches this JVM's group
            List<String> command = new ArrayList<>(List.of("setsid"));
            command.addAll(pinned(List.of(NGINX.toString(), "-p", d, "-c", file.toString())));
            child = Child.start(name, command);
            awaitListening();
        }

        @Override
        String subscribePath(String topic) {
            return "/sub/" + topic;
        }

        @Override
        Publisher.Dialect dialect() {
            return Publisher.nchan();
        }
    }

    /** A yardstick on the same Jetty, run from the test classpath: streams at {@code /events}, nothing to publish. */
    abstract static class Yardstick extends BenchServer {
        private final List<String> command;

        Yardstick(String name, int port, List<String> command) {
            super(name, port);
            this.command = command;
        }

        @Override
        void start() throws IOException {
            child = Child.start(name, command);
            awaitListening();
        }

        @Override
        long liveHeapBytes() throws IOException {
            return jvmLiveHeap();
        }

        @Override
        String subscribePath(String topic) {
            return "/events";
        }

        @Override
        Publisher.Dialect dialect() {
            throw new UnsupportedOperationException(name + " has nothing to publish to");
        }
    }

    /**
     * The simplest async Jetty servlet that takes the same connect, first bytes and FIN cycle as a subscriber: it
     * writes the event-stream head and one comment, flushes, and completes ({@link PlainAsyncServlet}); Jetty then
     * reads the client's FIN and closes. A servlet that kept its stream open would never learn of the FIN.
     */
    static final class PlainServlet extends Yardstick {
        PlainServlet(int port, List<String> jvm) {
            super("plain async servlet", port, java(jvm, PlainAsyncServlet.class.getName(), Integer.toString(port)));
        }

        /** Its publish floor: a form read and an id written back ({@link PlainAsyncServlet#doPost}). */
        @Override
        Publisher.Dialect dialect() {
            return Publisher.mercure("none");
        }
    }

    /**
     * Idle event streams with heartbeats and nothing else, through Jetty's core handler API ({@link
     * CoreHandlerPrototype}) or through an async servlet on the same Jetty: what the servlet API costs per stream.
     */
    static final class Prototype extends Yardstick {
        private final boolean servlet;

        Prototype(int port, boolean servlet, List<String> jvm) {
            super(servlet ? "servlet streams" : "core handler streams", port, servlet
                    ? java(jvm, CoreHandlerPrototype.class.getName(), Integer.toString(port), "servlet")
                    : java(jvm, CoreHandlerPrototype.class.getName(), Integer.toString(port)));
            this.servlet = servlet;
        }

        /** The servlet streams' write floor: a {@code POST} writes its data to every held stream from one thread. */
        @Override
        Publisher.Dialect dialect() {
            if (!servlet) {
                return super.dialect();
            }
            return Publisher.mercure("none");
        }
    }
}
