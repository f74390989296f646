package io.lifeline.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeline.live.DepartureRow;
import io.lifeline.live.LiveFeed;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live page's "Try the F5 case": the hub runs a client of its own through a {@link HalfClosingRelay}, the
 * client leaves, the relay sends the hub only a FIN and keeps reading, and the live view shows what the hub made of
 * it, step by step ({@code demonstration} events).
 *
 * <p>Where a departure watch reads the connection, the subscriber ends {@code client-closed} within milliseconds
 * and the view says how long after the FIN. Where none does ({@code LIFELINE_WATCH=none}, Tomcat over TLS), the view
 * says the subscriber is still connected, how many bytes the hub wrote after the FIN (the relay took them all, so
 * no write fails), and what bounds the leak: the maximum lifetime. It never says "noticed" for an end it did not see.
 * Whatever happens, the demonstration's subscriber ends {@link #LENGTH} after the click, {@code demonstration-over}
 * if the hub had not noticed.</p>
 *
 * <p>The client connects to the address and port the click's own request reached (never a {@code Host} or
 * forwarded header), over TLS where that connector speaks it; it trusts the hub's certificate without checking it,
 * since it talks to the very socket the click came through. Guards: one demonstration at a time, at most
 * {@link #PER_MINUTE} a minute, a relay on loopback that accepts one connection.</p>
 */
public final class F5Demonstration {

    /** How long after the click the demonstration's subscriber ends, whatever happens. */
    public static final Duration LENGTH = Duration.ofSeconds(10);
    /** Demonstrations started per minute at most. */
    public static final int PER_MINUTE = 6;
    /** The topic the demonstration's client subscribes to. */
    public static final String TOPIC = "urn:lifeline:demonstration:f5";

    /** How long the client stays before it leaves, so that the page shows it connected first. */
    static final Duration STAY = Duration.ofSeconds(1);
    /**
     * How often the demonstration writes its subscriber a heartbeat after the FIN, so that the page shows writes
     * going on succeeding where the hub does not notice; the hub's own heartbeats are {@code LIFELINE_HEARTBEAT}
     * apart, 15 s by default, longer than the whole demonstration.
     */
    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** How long to wait for a departure before saying none was noticed. */
    static final Duration NOTICE_WINDOW = Duration.ofSeconds(3);

    private static final Logger LOG = LoggerFactory.getLogger(F5Demonstration.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LiveFeed feed;
    private final String bound;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Deque<Long> recentStarts = new ArrayDeque<>();
    private long count;

    /** @param bound what bounds a departure no watch sees here, as the page says it (the maximum lifetime) */
    public F5Demonstration(LiveFeed feed, String bound) {
        this.feed = feed;
        this.bound = bound;
    }

    /** Why a demonstration cannot start now. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final long retryAfterSeconds;

        Refused(int status, String reason, long retryAfterSeconds) {
            super(reason, null, false, false);
            this.status = status;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        /** 409 while one runs, 429 past the rate limit. */
        public int status() {
            return status;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /**
     * Starts a demonstration on a thread of its own and returns at once with its number.
     *
     * @param hubAddress    the local address and port the click's request reached
     * @param tls           whether that connector speaks TLS
     * @param hubPath       the subscribe endpoint's path on it (the web app's context path included)
     * @param authorization the {@code Authorization} header for the client's subscription, or null (anonymous)
     * @throws Refused 409 while another runs, 429 past {@link #PER_MINUTE}
     */
    public long start(InetSocketAddress hubAddress, boolean tls, String hubPath, String authorization)
            throws Refused {
        long number;
        synchronized (recentStarts) {
            long now = System.nanoTime();
            while (!recentStarts.isEmpty() && now - recentStarts.peekFirst() > TimeUnit.MINUTES.toNanos(1)) {
                recentStarts.removeFirst();
            }
            if (recentStarts.size() >= PER_MINUTE) {
                long wait = TimeUnit.NANOSECONDS.toSeconds(TimeUnit.MINUTES.toNanos(1) - (now - recentStarts.peekFirst()));
                throw new Refused(429, PER_MINUTE + " demonstrations a minute at most; try again in " + (wait + 1)
                        + " s", wait + 1);
            }
            if (!running.compareAndSet(false, true)) {
                throw new Refused(409, "a demonstration is running; it is over within "
                        + LENGTH.toSeconds() + " s", LENGTH.toSeconds());
            }
            recentStarts.addLast(now);
            number = ++count;
        }
        Thread thread = new Thread(() -> {
            try {
                run(number, hubAddress, tls, hubPath, authorization);
            } catch (RuntimeException e) {
                LOG.warn("F5 demonstration {} failed", number, e);
                announce(step(number, "failed").put("reason", "the demonstration failed inside the hub: " + e));
            } finally {
                running.set(false);
            }
        }, "lifeline-demonstration");
        thread.setDaemon(true);
        thread.start();
        return number;
    }

    /** Whether a demonstration runs now. */
    boolean isRunning() {
        return running.get();
    }

    private void run(long number, InetSocketAddress hubAddress, boolean tls, String hubPath, String authorization) {
        long clicked = System.nanoTime();
        HalfClosingRelay relay;
        try {
            relay = new HalfClosingRelay(hubAddress);
        } catch (IOException e) {
            announce(step(number, "failed").put("reason", "the relay could not reach the hub at " + hubAddress
                    + ": " + e.getMessage()));
            return;
        }
        CompletableFuture<Subscriber> started = feed.awaitStart(relay.hubSidePort());
        Subscriber subscriber = null;
        try (Socket client = connect(relay.address(), tls)) {
            announce(step(number, "connecting").put("relay", relay.address().getPort())
                    .put("tls", tls));
            String request = "GET " + hubPath + "?topic=" + URLEncoder.encode(TOPIC, StandardCharsets.UTF_8)
                    + " HTTP/1.1\r\nHost: " + hostHeader(hubAddress) + "\r\nAccept: text/event-stream\r\n"
                    + "User-Agent: lifeline-f5-demonstration\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n";
            client.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String status = readStatusLine(client.getInputStream());
            if (!status.startsWith("HTTP/1.1 200")) {
                announce(step(number, "failed").put("reason", "the hub refused the demonstration's subscription: "
                        + status));
                return;
            }
            try {
                subscriber = started.get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (TimeoutException | ExecutionException | CancellationException e) {
                announce(step(number, "failed").put("reason", "the hub answered 200 but started no subscriber "
                        + "for the relay's connection (a hub that is full or stopping sends a client away for later)"));
                return;
            }
            CompletableFuture<Long> released = new CompletableFuture<>();
            feed.awaitEnd(subscriber.id()).thenRun(() -> released.complete(System.nanoTime()));
            if (subscriber.isEnded()) { // ended before the wait began (the hub stops, say): never "not noticed"
                released.complete(System.nanoTime());
            }
            announce(step(number, "connected").put("subscriber", subscriber.id())
                    .put("watch", subscriber.watchKind()));
            pause(STAY);
            client.close(); // the tab closes; the relay sends the hub a FIN and keeps reading
            long fin = awaitFin(relay);
            announce(step(number, "fin-sent").put("subscriber", subscriber.id()));
            report(number, subscriber, relay, released, fin, clicked);
        } catch (IOException e) {
            announce(step(number, "failed").put("reason", "the demonstration's client failed: " + e.getMessage()));
        } finally {
            feed.forget(relay.hubSidePort(), subscriber == null ? null : subscriber.id());
            if (subscriber != null && subscriber.end(EndReason.DEMONSTRATION_OVER)) {
                announce(step(number, "over").put("subscriber", subscriber.id())
                        .put("reason", EndReason.DEMONSTRATION_OVER.label()));
            }
            relay.close(); // after the end: the hub must not take the relay's RST for the departure
        }
    }

    /**
     * Says what the hub made of the FIN: noticed (and how), or not noticed, with the heartbeats written since (one a
     * second, {@link #HEARTBEAT}, all taken by the relay) and what bounds the leak.
     */
    private void report(long number, Subscriber subscriber, HalfClosingRelay relay, CompletableFuture<Long> released,
                        long fin, long clicked) {
        Long releasedNanos = heartbeatUntil(subscriber, released, fin + NOTICE_WINDOW.toNanos());
        if (releasedNanos != null) {
            EndReason reason = subscriber.endReason();
            announce(step(number, reason == EndReason.CLIENT_CLOSED ? "noticed" : "ended")
                    .put("subscriber", subscriber.id())
                    .put("reason", reason.label())
                    .put("watch", subscriber.watchKind())
                    .put("releasedMillisAfterFin", (releasedNanos - fin) / 1e6));
            return;
        }
        announce(step(number, "not-noticed").put("subscriber", subscriber.id())
                .put("watch", subscriber.watchKind())
                .put("secondsAfterFin", NOTICE_WINDOW.toSeconds())
                .put("bytesWrittenAfterFin", relay.bytesAfterFin())
                .put("bound", bound));
        releasedNanos = heartbeatUntil(subscriber, released, clicked + LENGTH.toNanos());
        if (releasedNanos != null) {
            announce(step(number, "ended").put("subscriber", subscriber.id())
                    .put("reason", subscriber.endReason().label())
                    .put("watch", subscriber.watchKind())
                    .put("releasedMillisAfterFin", (releasedNanos - fin) / 1e6));
        } else {
            announce(step(number, "still-connected").put("subscriber", subscriber.id())
                    .put("secondsAfterFin", (System.nanoTime() - fin) / 1_000_000_000L)
                    .put("bytesWrittenAfterFin", relay.bytesAfterFin()));
        }
    }

    /**
     * Writes the subscriber a heartbeat each {@link #HEARTBEAT} until it is released or the deadline
     * ({@link System#nanoTime()}) passes; returns when it was released, or null.
     */
    private static Long heartbeatUntil(Subscriber subscriber, CompletableFuture<Long> released, long deadlineNanos) {
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return released.getNow(null);
            }
            Long at = await(released, Duration.ofNanos(Math.min(left, HEARTBEAT.toNanos())));
            if (at != null) {
                return at;
            }
            subscriber.heartbeatNow();
        }
    }

    private static long awaitFin(HalfClosingRelay relay) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (relay.finSentNanos() == 0 && System.nanoTime() < deadline) {
            pause(Duration.ofMillis(1));
        }
        return relay.finSentNanos() == 0 ? System.nanoTime() : relay.finSentNanos();
    }

    private static Long await(CompletableFuture<Long> future, Duration within) {
        try {
            return future.get(within.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException | CancellationException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Socket connect(InetSocketAddress relay, boolean tls) throws IOException {
        Socket plain = new Socket();
        plain.connect(relay, 2000);
        plain.setSoTimeout(5000);
        if (!tls) {
            return plain;
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustingItself()}, new SecureRandom());
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain,
                    relay.getHostString(), relay.getPort(), true);
            socket.startHandshake();
            return socket;
        } catch (GeneralSecurityException e) {
            plain.close();
            throw new IOException("TLS is not available: " + e.getMessage(), e);
        }
    }

    /** The status line, and the response's headers read past, so the stream has begun. */
    private static String readStatusLine(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && head.length() < 16_384) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        int end = head.indexOf("\r\n");
        return end < 0 ? head.toString() : head.substring(0, end);
    }

    private static String hostHeader(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private ObjectNode step(long number, String step) {
        ObjectNode node = JSON.createObjectNode();
        node.put("demonstration", number);
        node.put("step", step);
        node.put("at", System.currentTimeMillis());
        return node;
    }

    private void announce(ObjectNode step) {
        LOG.info("F5 demonstration {}: {}", step.get("demonstration"), step);
        feed.announce("demonstration", step);
    }

    /** The client talks to the socket the click itself came through: whatever certificate it shows is the hub's. */
    private static final class TrustingItself implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
