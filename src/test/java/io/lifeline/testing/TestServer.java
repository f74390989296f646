package io.lifeline.testing;

import io.lifeline.config.Setting;
import io.lifeline.config.Settings;
import io.lifeline.hub.Hub;
import io.lifeline.live.LiveFeed;
import io.lifeline.server.EmbeddedServer;
import io.lifeline.subscriber.Subscriber;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.io.EndPoint;

/** The embedded program, started in this JVM on an ephemeral loopback port. */
public final class TestServer implements AutoCloseable {

    public static final String KEY = "a-test-key-that-is-long-enough-for-hs256!";

    private final EmbeddedServer server;
    private final String scheme;

    private TestServer(EmbeddedServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
    }

    /** Starts with a test key, anonymous subscribers allowed, no shutdown drain, and the given settings on top. */
    public static TestServer start(Map<Setting, String> overrides) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        values.put(Setting.PORT, "0");
        values.put(Setting.HOST, "127.0.0.1");
        values.put(Setting.JWT_KEY, KEY);
        values.put(Setting.ANONYMOUS, "true");
        values.put(Setting.DRAIN, "0s"); // tests that stop with subscribers connected need not wait
        values.putAll(overrides);
        try {
            Settings settings = Settings.of(values);
            return new TestServer(EmbeddedServer.start(settings),
                    settings.server().tlsKeystore() == null ? "http" : "https");
        } catch (Exception e) {
            throw new IllegalStateException("the test server did not start", e);
        }
    }

    /**
     * Starts as the embedded program does with no key configured: development mode (anonymous subscribers, the live
     * view and its demonstration open without a token), with {@link #KEY} as the generated key.
     */
    public static TestServer startInDevelopmentMode(Map<Setting, String> overrides) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        values.put(Setting.PORT, "0");
        values.put(Setting.DRAIN, "0s");
        values.putAll(overrides);
        try {
            Settings settings = Settings.of(values).withDevelopmentKey(KEY);
            return new TestServer(EmbeddedServer.start(settings),
                    settings.server().tlsKeystore() == null ? "http" : "https");
        } catch (Exception e) {
            throw new IllegalStateException("the test server did not start", e);
        }
    }

    public int port() {
        return server.port();
    }

    public URI uri(String pathAndQuery) {
        return URI.create(scheme + "://127.0.0.1:" + port() + pathAndQuery);
    }

    public Hub hub() {
        return server.hub();
    }

    /** What the live view shows, and the F5 demonstration watches. */
    public LiveFeed feed() {
        return server.feed();
    }

    /** The one open subscriber subscribed to this topic, once it exists. */
    public Subscriber awaitSubscriber(String topic) {
        return Poll.forValue(Duration.ofSeconds(5), "a subscriber of " + topic, () -> subscriberOf(topic).orElse(null));
    }

    public Optional<Subscriber> subscriberOf(String topic) {
        return hub().subscribers().stream().filter(s -> s.topics().contains(topic)).findFirst();
    }

    /** Whether Jetty still holds a connection from this client port. */
    public boolean hasConnectionFrom(int clientPort) {
        return endPointFrom(clientPort) != null;
    }

    /**
     * The idle timeout (milliseconds) of the connection Jetty holds from this client port, or null when it holds
     * none.
     */
    public Long idleTimeoutOf(int clientPort) {
        EndPoint endPoint = endPointFrom(clientPort);
        return endPoint == null ? null : endPoint.getIdleTimeout();
    }

    /** The idle timeout (milliseconds) the connector gives each new connection. */
    public long connectorIdleTimeout() {
        return server.connector().getIdleTimeout();
    }

    private EndPoint endPointFrom(int clientPort) {
        for (EndPoint endPoint : server.connector().getConnectedEndPoints()) {
            SocketAddress remote = endPoint.getRemoteSocketAddress();
            if (remote instanceof InetSocketAddress address && address.getPort() == clientPort) {
                return endPoint;
            }
        }
        return null;
    }

    /** Connections Jetty holds open now. */
    public int connectedEndPoints() {
        return server.connector().getConnectedEndPoints().size();
    }

    public String publisherToken() {
        return Tokens.publisher(KEY, "*");
    }

    @Override
    public void close() {
        server.close();
    }
}
