package io.lifeline.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.testing.Announcements;
import io.lifeline.testing.Child;
import io.lifeline.testing.Http;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.RedisServer;
import io.lifeline.testing.SseEvents;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A node of a cluster killed with SIGKILL, as a packaged program: another node announces its subscribers' ends once,
 * within the stated bound, and its clients resume on the other node missing nothing.
 */
class ClusterIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
    private static final Pattern READY = Pattern.compile("Lifeline ready on \\S+ \\(port (\\d+)\\)");
    private static final String EVENTS = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";

    @Test
    void aNodeKilledWithSigkillHasItsSubscribersEndsAnnouncedOnceAndItsClientsResumeElsewhere() throws Exception {
        String topic = "https://example.com/cluster/" + UUID.randomUUID();
        try (RedisServer redis = RedisServer.start();
             TestServer nodeA = TestServer.start(Map.of(Setting.TRANSPORT, redis.uri(),
                     Setting.NODE_TIMEOUT, NODE_TIMEOUT.toSeconds() + "s"));
             Http http = new Http();
             RawSseClient watcher = watch(nodeA)) {
            String subscriber;
            try (Child nodeB = startNode(redis, NODE_TIMEOUT)) {
                RawSseClient onB = subscribeOn(nodeB, topic);
                subscriber = awaitStart(watcher);
                publish(http, nodeA, topic, "urn:before", "before");
                onB.awaitBody("data: before\n\n", WAIT);
                long killed = System.nanoTime();
                nodeB.close(); // SIGKILL
                watcher.awaitBodyWhere(w -> Announcements.of(w.body(), subscriber).size() == 2, "its end announced",
                        NODE_TIMEOUT.multipliedBy(3));
                Duration within = Duration.ofNanos(System.nanoTime() - killed);
                assertTrue(within.compareTo(NODE_TIMEOUT.multipliedBy(3).dividedBy(2).plusSeconds(1)) < 0,
                        "announced within the bound: " + within.toMillis() + " ms");
                onB.close();
            }
            publish(http, nodeA, topic, "urn:while-away", "while away");
            try (RawSseClient onA = RawSseClient.open(nodeA.port(), "/.well-known/mercure?topic=" + encode(topic),
                    "Last-Event-ID: urn:before")) {
                onA.awaitBody("data: while away\n\n", WAIT);
                nodeA.awaitSubscriber(topic);
                publish(http, nodeA, topic, "urn:live", "live");
                onA.awaitBody("data: live\n\n", WAIT);
                assertEquals(List.of("urn:while-away", "urn:live"), SseEvents.ids(onA.body()));
            }
            assertEquals(List.of(true, false), Announcements.of(watcher.body(), subscriber), "announced once");
            String listed = http.get(nodeA.uri("/.well-known/mercure/subscriptions"),
                    Tokens.subscriber(TestServer.KEY, "*")).body();
            assertFalse(listed.contains(subscriber), "no longer listed: " + listed);
        }
    }

    /**
     * A node restarted under its name before anyone took it for gone (its node timeout is long) announces the ends of
     * what it listed before it died, once.
     */
    @Test
    void aNodeRestartedUnderItsNameAnnouncesTheEndsOfWhatItListedBeforeItDied() throws Exception {
        String topic = "https://example.com/cluster/" + UUID.randomUUID();
        Duration longTimeout = Duration.ofSeconds(60);
        try (RedisServer redis = RedisServer.start();
             TestServer nodeA = TestServer.start(Map.of(Setting.TRANSPORT, redis.uri(),
                     Setting.NODE_TIMEOUT, longTimeout.toSeconds() + "s"));
             RawSseClient watcher = watch(nodeA)) {
            String subscriber;
            try (Child nodeB = startNode(redis, longTimeout)) {
                RawSseClient onB = subscribeOn(nodeB, topic);
                subscriber = awaitStart(watcher);
                nodeB.close(); // SIGKILL
                onB.close();
            }
            try (Child again = startNode(redis, longTimeout)) {
                again.await(WAIT, "node B ready again", READY.asPredicate());
                watcher.awaitBodyWhere(w -> Announcements.of(w.body(), subscriber).size() == 2,
                        "the end of its subscriber from before", WAIT);
                assertTrue(again.output().contains("still listed 1 subscribers"), again.output());
            }
            assertEquals(List.of(true, false), Announcements.of(watcher.body(), subscriber), "announced once");
        }
    }

    /** A watcher of every subscription event, on {@code node}. */
    private static RawSseClient watch(TestServer node) throws IOException {
        RawSseClient watcher = RawSseClient.open(node.port(), "/.well-known/mercure?topic=" + encode(EVENTS),
                "Authorization: Bearer " + Tokens.subscriber(TestServer.KEY, EVENTS));
        watcher.awaitHead(WAIT);
        node.awaitSubscriber(EVENTS);
        return watcher;
    }

    /** A subscriber to {@code topic} on a started node process, once it has its stream. */
    private static RawSseClient subscribeOn(Child node, String topic) throws IOException {
        int port = Integer.parseInt(match(READY, node.await(WAIT, "the node ready", READY.asPredicate())).group(1));
        RawSseClient client = RawSseClient.open(port, "/.well-known/mercure?topic=" + encode(topic));
        client.awaitHead(WAIT);
        return client;
    }

    /** The subscriber whose start the watcher sees announced first. */
    private static String awaitStart(RawSseClient watcher) throws IOException {
        watcher.awaitBodyWhere(w -> Announcements.firstStarted(w.body()) != null, "a subscriber's start announced",
                WAIT);
        return Announcements.firstStarted(watcher.body());
    }

    private static Child startNode(RedisServer redis, Duration nodeTimeout) throws IOException {
        String jar = System.getProperty("lifeline.server.jar");
        assertTrue(jar != null && Files.exists(Path.of(jar)), "the packaged jar is missing: " + jar);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar, "--port", "0");
        builder.environment().keySet().removeIf(name -> name.startsWith("LIFELINE_"));
        builder.environment().putAll(Map.of("LIFELINE_JWT_KEY", TestServer.KEY, "LIFELINE_ANONYMOUS", "true",
                "LIFELINE_HOST", "127.0.0.1", "LIFELINE_TRANSPORT", redis.uri(), "LIFELINE_NODE_NAME", "node-b",
                "LIFELINE_NODE_TIMEOUT", nodeTimeout.toSeconds() + "s"));
        return Child.start("node-b", builder);
    }

    private static Matcher match(Pattern pattern, String line) {
        Matcher m = pattern.matcher(line);
        assertTrue(m.find(), line);
        return m;
    }

    private static void publish(Http http, TestServer node, String topic, String id, String data)
            throws IOException {
        assertEquals(200, http.publish(node.uri("/.well-known/mercure"), node.publisherToken(), "topic", topic, "id",
                id, "data", data).status());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
