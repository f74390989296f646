package io.lifeline.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.lifeline.config.Setting;
import io.lifeline.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * Runs the subscribe, publish and departure paths before the embedded program's port takes clients, so that a node
 * that has just started meets a storm of clients with its code compiled rather than interpreted.
 *
 * <p>A JVM interprets a method until it has run often enough, then compiles it, twice over, while it runs; on a
 * freshly started node the first thousands of clients pay for that, and the compilers take a third of a core's time
 * meanwhile. So, for at most {@link Setting#WARMUP} (3 s by default), a throwaway hub of its own (the same classes, a
 * memory transport, anonymous subscribers, a key made for it) listens on an ephemeral loopback port, and clients of the
 * program's own connect to it over real TCP connections, read their stream's first bytes, receive an update now and
 * then, and leave with a FIN, as clients do. Then it stops, and the program starts its real hub.</p>
 *
 * <p>It leaves no trace: no log line (logging is muted meanwhile: no client of the real hub can be served yet), no
 * metric, history entry, subscription event or live-view entry of the real hub's (the throwaway has its own), no
 * Redis traffic, and no token the operator must give.</p>
 */
final class Warmup {

    /** What a warm-up did, for the start-up line. */
    record Report(int cycles, int updates, Duration took) {
        /** {@code 3,120 subscribers started and left and 390 updates delivered in 3.0 s}. */
        String summary() {
            return String.format(java.util.Locale.ROOT, "%,d subscribers started and left and %,d updates delivered "
                    + "in %.1f s", cycles, updates, took.toMillis() / 1000.0);
        }

        /** The start-up line. */
        String describe() {
            return "warm-up: " + summary() + ", before the port took clients";
        }
    }

    private static final int CLIENTS = 16;
    /** One cycle in this many also publishes an update that its subscriber must receive before it leaves. */
    private static final int PUBLISH_EVERY = 8;
    private static final String TOPIC = "urn:lifeline:warm-up";

    private Warmup() {
    }

    /** Warms up for at most {@code bound}; returns what it did, or null when {@code bound} is zero. */
    static Report run(Settings real, Duration bound) throws Exception {
        if (bound.isZero()) {
            return null;
        }
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String token = JWT.create().withClaim("mercure", Map.of("publish", List.of(TOPIC)))
                .sign(Algorithm.HMAC256(key));
        Map<Level, List<Logger>> muted = mute();
        AtomicInteger cycles = new AtomicInteger();
        AtomicInteger updates = new AtomicInteger();
        try (EmbeddedServer throwaway = EmbeddedServer.start(settings(real, key))) {
            int port = throwaway.port();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                Thread client = new Thread(() -> {
                    while (System.nanoTime() < deadline) {
                        boolean publish = cycles.incrementAndGet() % PUBLISH_EVERY == 0;
                        try {
                            if (cycle(port, publish ? token : null, deadline)) {
                                updates.incrementAndGet();
                            }
                        } catch (IOException e) {
                            return; // a warm-up that cannot go on ends early; the program starts all the same
                        }
                    }
                }, "lifeline-warm-up-" + c);
                client.setDaemon(true);
                clients.add(client);
                client.start();
            }
            for (Thread client : clients) {
                client.join(Math.max(1, bound.toMillis()) + 5_000);
            }
        } finally {
            unmute(muted);
        }
        return new Report(cycles.get(), updates.get(), Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * The throwaway hub's settings: the real one's per-subscriber settings (heartbeat, dispatch timeout, bounds, the
     * watch and the socket options, subscription events, dialects), so that the same paths run; loopback, an
     * ephemeral port, memory transport, anonymous subscribers, its own key, no drain, no TLS, HTTP/1.1 only.
     */
    private static Settings settings(Settings real, String key) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        values.put(Setting.PORT, "0");
        values.put(Setting.HOST, "127.0.0.1");
        values.put(Setting.HTTP2, "false");
        values.put(Setting.JWT_KEY, key);
        values.put(Setting.ANONYMOUS, "true");
        values.put(Setting.DRAIN, "0s");
        values.put(Setting.DEMO, "false");
        values.put(Setting.HEARTBEAT, real.departures().heartbeat().toMillis() + "ms");
        values.put(Setting.DISPATCH_TIMEOUT, real.departures().dispatchTimeout().toMillis() + "ms");
        values.put(Setting.QUEUE_BYTES, Long.toString(real.departures().queueBytes()));
        values.put(Setting.UNSENT_BYTES, Long.toString(real.departures().unsentBytes()));
        values.put(Setting.TCP_USER_TIMEOUT, real.departures().tcpUserTimeout(true).toMillis() + "ms");
        values.put(Setting.WATCH, real.departures().watchMode().name().toLowerCase(java.util.Locale.ROOT));
        values.put(Setting.SUBSCRIPTION_EVENTS, Boolean.toString(real.hub().subscriptionEvents()));
        values.put(Setting.CURSOR_EVENT, Boolean.toString(real.hub().cursorEvent()));
        values.put(Setting.DIALECTS, Settings.DRAFT_07);
        values.put(Setting.WARMUP, "0s");
        return Settings.of(values);
    }

    /**
     * One client: subscribes, reads its stream's first bytes, and, given a token, publishes an update and reads it
     * from its stream; then leaves with a FIN and reads until the hub closes. Returns whether it received an update.
     */
    private static boolean cycle(int port, String token, long deadline) throws IOException {
        boolean received = false;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout((int) Math.max(100, Math.min(2000, (deadline - System.nanoTime()) / 1_000_000)));
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("GET /.well-known/mercure?topic=" + TOPIC + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            StringBuilder seen = new StringBuilder();
            readUntil(in, seen, ":\n\n");
            if (token != null) {
                publish(port, token);
                received = readUntil(in, seen, "data: warm\n");
            }
            socket.shutdownOutput();
            while (in.read() >= 0) {
                // until the hub closes its side
            }
        } catch (java.net.SocketTimeoutException e) {
            return received; // the deadline passed: the hub ends the stream when the throwaway stops
        }
        return received;
    }

    private static void publish(int port, String token) throws IOException {
        byte[] body = ("topic=" + TOPIC + "&data=warm").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /.well-known/mercure HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + token + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // the answer, until the hub closes
            }
        }
    }

    /** Reads until {@code text} has arrived (true) or the stream ends (false). */
    private static boolean readUntil(InputStream in, StringBuilder seen, String text) throws IOException {
        int b;
        while (seen.indexOf(text) < 0) {
            if ((b = in.read()) < 0) {
                return false;
            }
            seen.append((char) b);
        }
        return true;
    }

    /** Turns the program's logging off, returning what to restore: nothing a warm-up does is the operator's. */
    private static Map<Level, List<Logger>> mute() {
        Map<Level, List<Logger>> levels = new java.util.HashMap<>();
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            for (Logger logger : logback.getLoggerList()) {
                if (logger.getLevel() != null) {
                    levels.computeIfAbsent(logger.getLevel(), l -> new ArrayList<>()).add(logger);
                }
            }
            for (Logger logger : logback.getLoggerList()) {
                logger.setLevel(Level.OFF);
            }
        }
        return levels;
    }

    private static void unmute(Map<Level, List<Logger>> levels) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            Logger root = logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            for (Logger logger : logback.getLoggerList()) {
                if (logger != root) {
                    logger.setLevel(null);
                }
            }
            levels.forEach((level, loggers) -> loggers.forEach(logger -> logger.setLevel(level)));
        }
    }
}
