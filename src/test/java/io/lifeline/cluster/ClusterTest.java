package io.lifeline.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeline.config.Setting;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Announcements;
import io.lifeline.testing.Http;
import io.lifeline.testing.LiveEvents;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.RedisSentinel;
import io.lifeline.testing.RedisServer;
import io.lifeline.testing.SseEvents;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes of one hub on one real {@code redis-server}, all on loopback: every publish reaches the subscribers of
 * every node once and in one order, and a client resumes on any node missing nothing.
 */
class ClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String HEARTBEAT = "300ms";
    private static final String NODE_TIMEOUT = "2s";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RedisServer redis;
    private final List<TestServer> nodes = new ArrayList<>();

    @BeforeEach
    void startRedisAndThreeNodes() throws IOException {
        redis = RedisServer.start();
        for (int i = 0; i < 3; i++) {
            nodes.add(TestServer.start(Map.of(Setting.TRANSPORT, redis.uri(), Setting.HEARTBEAT, HEARTBEAT,
                    Setting.NODE_NAME, "node-" + i, Setting.NODE_TIMEOUT, NODE_TIMEOUT)));
        }
    }

    @AfterEach
    void stopAll() throws IOException {
        nodes.forEach(TestServer::close);
        redis.close();
    }

    @Test
    void aPublishOnOneNodeReachesTheSubscribersOfEveryNode() throws IOException {
        String topic = topic();
        try (Http http = new Http(); RawSseClient onB = subscribe(nodes.get(1), topic);
             RawSseClient onC = subscribe(nodes.get(2), topic)) {
            nodes.get(1).awaitSubscriber(topic);
            nodes.get(2).awaitSubscriber(topic);
            assertEquals(200, publish(http, nodes.get(0), topic, "urn:one", "from A").status());
            onB.awaitBody("data: from A\n\n", WAIT);
            onC.awaitBody("data: from A\n\n", WAIT);
        }
    }

    @Test
    void aClientResumesOnAnotherNodeWithWhatWasPublishedWhileItWasAway() throws IOException {
        String topic = topic();
        try (Http http = new Http()) {
            try (RawSseClient onA = subscribe(nodes.get(0), topic)) {
                nodes.get(0).awaitSubscriber(topic);
                publish(http, nodes.get(1), topic, "urn:seen", "seen");
                onA.awaitBody("data: seen\n\n", WAIT);
            }
            publish(http, nodes.get(2), topic, "urn:missed-1", "missed 1");
            publish(http, nodes.get(0), topic, "urn:missed-2", "missed 2");
            try (RawSseClient onB = subscribe(nodes.get(1), topic, "Last-Event-ID: urn:seen")) {
                onB.awaitBody("data: missed 2\n\n", WAIT);
                nodes.get(1).awaitSubscriber(topic);
                publish(http, nodes.get(2), topic, "urn:live", "live");
                onB.awaitBody("data: live\n\n", WAIT);
                assertEquals(List.of("urn:missed-1", "urn:missed-2", "urn:live"), SseEvents.ids(onB.body()));
                assertEquals("urn:seen", onB.header("Last-Event-ID"));
            }
        }
    }

    @Test
    void updatesPublishedOnAllNodesArriveOnceAndInTheSameOrderOnEveryNode() throws IOException {
        String topic = topic();
        int updates = 300;
        List<RawSseClient> clients = new ArrayList<>();
        try (Http http = new Http()) {
            for (TestServer node : nodes) {
                clients.add(subscribe(node, topic));
                node.awaitSubscriber(topic);
            }
            for (int i = 0; i < updates; i++) {
                assertEquals(200, publish(http, nodes.get(i % 3), topic, "urn:u" + i, "n" + i).status());
            }
            List<String> first = null;
            for (RawSseClient client : clients) {
                client.awaitBody("data: n" + (updates - 1) + "\n\n", WAIT);
                List<String> ids = SseEvents.ids(client.body());
                assertEquals(updates, ids.size(), "every update once");
                assertEquals(updates, ids.stream().distinct().count(), "none twice");
                if (first == null) {
                    first = ids;
                } else {
                    assertEquals(first, ids, "the same order on every node");
                }
            }
        } finally {
            for (RawSseClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void clientsCutAndReconnectingToRandomNodesWhileAllNodesPublishMissNothingAndGetNothingTwice() throws Exception {
        String topic = topic();
        int updates = 1000;
        int clients = 3;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try (Http http = new Http()) {
            List<RawSseClient> first = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                first.add(subscribe(nodes.get(c), topic));
            }
            Poll.until(WAIT, "every client subscribed", () -> nodes.stream()
                    .mapToLong(n -> n.hub().subscribers().stream().filter(s -> s.topics().contains(topic)).count())
                    .sum() == clients);
            List<Future<List<String>>> received = new ArrayList<>();
            for (RawSseClient client : first) {
                received.add(pool.submit(() -> readAcrossCuts(client, topic, updates)));
            }
            List<String> published = new ArrayList<>();
            for (int i = 0; i < updates; i++) {
                String id = "urn:rr" + i;
                assertEquals(200, publish(http, nodes.get(i % 3), topic, id, "n" + i).status());
                published.add(id);
            }
            List<String> order = null;
            for (Future<List<String>> f : received) {
                List<String> ids = f.get(60, TimeUnit.SECONDS);
                assertEquals(updates, ids.size(), "0 lost, 0 duplicated");
                assertEquals(Set.copyOf(published), Set.copyOf(ids), "every update once");
                if (order == null) {
                    order = ids;
                } else {
                    assertEquals(order, ids, "the same order for every client, whichever nodes served it");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Reads {@code total} updates, cutting the connection after every 50-200 of them and resuming on a node picked
     * at random with the last id received.
     */
    private List<String> readAcrossCuts(RawSseClient firstConnection, String topic, int total) throws IOException {
        List<String> ids = new ArrayList<>();
        RawSseClient client = firstConnection;
        while (true) {
            int cutAt = Math.min(total, ids.size() + 50 + ThreadLocalRandom.current().nextInt(151));
            int before = ids.size();
            try {
                client.awaitBodyWhere(c -> before + completeIds(c.body()).size() >= cutAt, cutAt + " updates",
                        Duration.ofSeconds(30));
                ids.addAll(completeIds(client.body()));
            } finally {
                client.close();
            }
            if (ids.size() >= total) {
                return ids;
            }
            TestServer node = nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
            client = subscribe(node, topic, "Last-Event-ID: " + ids.get(ids.size() - 1));
        }
    }

    /** The ids of the updates a body holds whole: a block cut by the connection's end is not one. */
    private static List<String> completeIds(String body) {
        return SseEvents.ids(body.substring(0, body.lastIndexOf("\n\n") + 2));
    }

    @Test
    void theSubscriptionsApiOfAnyNodeListsTheSubscribersOfEveryNode() throws Exception {
        String topicA = topic();
        String topicB = topic();
        String admin = Tokens.subscriber(TestServer.KEY, "*");
        try (Http http = new Http(); RawSseClient onA = subscribe(nodes.get(0), topicA);
             RawSseClient onB = subscribe(nodes.get(1), topicB)) {
            String idA = nodes.get(0).awaitSubscriber(topicA).id();
            String idB = nodes.get(1).awaitSubscriber(topicB).id();
            JsonNode all = JSON.readTree(http.get(nodes.get(2).uri("/.well-known/mercure/subscriptions"), admin)
                    .body());
            List<String> listed = new ArrayList<>();
            all.get("subscriptions").forEach(sub -> listed.add(sub.get("topic").asText() + " "
                    + sub.get("subscriber").asText()));
            assertTrue(listed.containsAll(List.of(topicA + " " + idA, topicB + " " + idB)), listed.toString());

            Http.Response one = http.get(nodes.get(2).uri("/.well-known/mercure/subscriptions/"
                    + URLEncoder.encode(topicA, StandardCharsets.UTF_8) + "/"
                    + URLEncoder.encode(idA, StandardCharsets.UTF_8)), admin);
            assertEquals(200, one.status(), one.body());
            assertEquals(idA, JSON.readTree(one.body()).get("subscriber").asText());

            onA.fin();
            Poll.until(WAIT, "the departed subscriber gone from the list on another node", () -> {
                try {
                    return !http.get(nodes.get(2).uri("/.well-known/mercure/subscriptions"), admin).body()
                            .contains(idA);
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    @Test
    void theLiveViewOfANodeShowsEveryNodeOfTheClusterWithItsSubscribers() throws IOException {
        String topic = topic();
        try (RawSseClient onB = subscribe(nodes.get(1), topic);
             RawSseClient viewer = RawSseClient.open(nodes.get(0).port(), "/.lifeline/live?authorization="
                     + Tokens.admin(TestServer.KEY))) {
            nodes.get(1).awaitSubscriber(topic);
            viewer.awaitBodyWhere(v -> LiveEvents.of(v, "snapshot").size() + LiveEvents.of(v, "tick").size() > 0
                    && lastCluster(v) != null && lastCluster(v).get("nodes").size() == 3
                    && sum(lastCluster(v).get("nodes")) >= 1, "a cluster panel with three nodes", WAIT);
            JsonNode panel = lastCluster(viewer);
            assertTrue(panel.get("nodes").has(panel.get("self").asText()), panel.toString());
        }
    }

    @Test
    void eachNodesMetricsCarryItsName() throws IOException {
        try (Http http = new Http()) {
            List<String> names = new ArrayList<>();
            for (TestServer node : nodes) {
                String metrics = http.get(node.uri("/metrics"), null).body();
                Matcher m = Pattern.compile("lifeline_updates_published_total\\{node=\"([^\"]+)\"").matcher(metrics);
                assertTrue(m.find(), metrics);
                names.add(m.group(1));
            }
            assertEquals(3, names.stream().distinct().count(), "three names: " + names);
        }
    }

    /** The cluster panel of the newest snapshot or tick that carries one. */
    private static JsonNode lastCluster(RawSseClient viewer) {
        JsonNode last = null;
        for (String type : List.of("snapshot", "tick")) {
            for (JsonNode event : LiveEvents.of(viewer, type)) {
                if (event.has("cluster")) {
                    last = event.get("cluster");
                }
            }
        }
        return last;
    }

    private static long sum(JsonNode nodes) {
        long sum = 0;
        for (JsonNode n : nodes) {
            sum += n.asLong();
        }
        return sum;
    }

    @Test
    void aSubscribersStartAndEndAreAnnouncedOnceToWatchersOnEveryNode() throws Exception {
        String topic = topic();
        String events = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
        String watcherToken = Tokens.subscriber(TestServer.KEY, events);
        List<RawSseClient> watchers = new ArrayList<>();
        try {
            for (TestServer node : nodes) {
                watchers.add(subscribe(node, events, "Authorization: Bearer " + watcherToken));
                node.awaitSubscriber(events);
            }
            String id;
            try (RawSseClient onA = subscribe(nodes.get(0), topic)) {
                id = nodes.get(0).awaitSubscriber(topic).id();
            }
            for (RawSseClient watcher : watchers) {
                watcher.awaitBodyWhere(w -> Announcements.of(w.body(), id).size() == 2, "start and end of " + id,
                        WAIT);
                assertEquals(List.of(true, false), Announcements.of(watcher.body(), id));
            }
        } finally {
            for (RawSseClient watcher : watchers) {
                watcher.close();
            }
        }
    }

    @Test
    void aBurstOfSubscribersLargerThanTheHistoryLosesNoAnnouncementAndEndsNobody() throws Exception {
        String topic = topic();
        String events = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
        int burst = 60;
        Map<Setting, String> small = Map.of(Setting.TRANSPORT, redis.uri() + "/1", Setting.HISTORY_SIZE, "5",
                Setting.HEARTBEAT, HEARTBEAT);
        List<RawSseClient> clients = new ArrayList<>();
        try (TestServer a = TestServer.start(small); TestServer b = TestServer.start(small);
             RawSseClient watcher = subscribe(a, events, "Authorization: Bearer "
                     + Tokens.subscriber(TestServer.KEY, events))) {
            a.awaitSubscriber(events);
            for (int i = 0; i < burst; i++) {
                clients.add(RawSseClient.open(b.port(), "/.well-known/mercure?topic="
                        + URLEncoder.encode(topic, StandardCharsets.UTF_8)));
            }
            watcher.awaitBodyWhere(w -> Announcements.starts(w.body()) == burst, burst + " starts announced", WAIT);
            Poll.until(WAIT, "every subscriber held on B", () -> b.hub().subscribers().size() == burst);
            for (RawSseClient c : clients) {
                assertFalse(c.isEof(), "nobody sent away");
            }
        } finally {
            for (RawSseClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aNodeThatFindsRedisThroughSentinelJoinsTheSameCluster() throws IOException {
        String topic = topic();
        try (RedisSentinel sentinel = RedisSentinel.watching(redis);
             TestServer throughSentinel = TestServer.start(Map.of(Setting.TRANSPORT, sentinel.uri()));
             Http http = new Http(); RawSseClient onA = subscribe(nodes.get(0), topic)) {
            nodes.get(0).awaitSubscriber(topic);
            assertEquals(200, publish(http, throughSentinel, topic, "urn:via-sentinel", "via sentinel").status());
            onA.awaitBody("data: via sentinel\n\n", WAIT);
        }
    }

    @Test
    void nodesOnARedisThatSpeaksTlsOnlyFormACluster() throws IOException {
        String topic = topic();
        try (RedisServer tls = RedisServer.startTls();
             TestServer a = TestServer.start(Map.of(Setting.TRANSPORT, tls.uri()));
             TestServer b = TestServer.start(Map.of(Setting.TRANSPORT, tls.uri()));
             Http http = new Http(); RawSseClient onB = subscribe(b, topic)) {
            b.awaitSubscriber(topic);
            assertEquals(200, publish(http, a, topic, "urn:over-tls", "over TLS").status());
            onB.awaitBody("data: over TLS\n\n", WAIT);
        }
    }

    @Test
    void aPrivateUpdateReachesOnlyAuthorizedSubscribersOnOtherNodes() throws IOException {
        String topic = topic();
        String token = Tokens.subscriber(TestServer.KEY, topic);
        try (Http http = new Http(); RawSseClient anonymous = subscribe(nodes.get(1), topic);
             RawSseClient authorized = subscribe(nodes.get(2), topic, "Authorization: Bearer " + token)) {
            Poll.until(WAIT, "two subscribers", () -> nodes.get(1).subscriberOf(topic).isPresent()
                    && nodes.get(2).subscriberOf(topic).isPresent());
            http.publish(nodes.get(0).uri("/.well-known/mercure"), nodes.get(0).publisherToken(), "topic", topic,
                    "id", "urn:secret", "data", "secret", "private", "on");
            publish(http, nodes.get(0), topic, "urn:public", "public");
            authorized.awaitBody("data: public\n\n", WAIT);
            anonymous.awaitBody("data: public\n\n", WAIT);
            assertEquals(List.of("urn:secret", "urn:public"), SseEvents.ids(authorized.body()));
            assertEquals(List.of("urn:public"), SseEvents.ids(anonymous.body()));
        }
    }

    @Test
    void whileRedisIsDownPublishesAreRefusedSubscribersStayAndDeliveryResumesByItself() throws IOException {
        String topic = topic();
        try (Http http = new Http(); RawSseClient onB = subscribe(nodes.get(1), topic)) {
            nodes.get(1).awaitSubscriber(topic);
            publish(http, nodes.get(0), topic, "urn:before", "before");
            onB.awaitBody("data: before\n\n", WAIT);

            redis.kill();
            Http.Response refused = Poll.forValue(WAIT, "a publish refused while Redis is down", () -> {
                Http.Response r = publishQuietly(http, nodes.get(0), topic, "urn:during", "during");
                return r != null && r.status() == 503 ? r : null;
            });
            assertTrue(refused.body().contains("Redis"), refused.body());
            assertTrue(refused.header("Retry-After") != null, "told when to try again");
            assertFalse(onB.isEof(), "the subscriber stays connected");
            // longer than the node timeout (2 s): no node can renew its heartbeat meanwhile, and none may be taken
            // for gone for it once Redis is back
            int heartbeats = heartbeats(onB.body());
            onB.awaitBodyWhere(c -> heartbeats(c.body()) >= heartbeats + 10, "ten heartbeats during the outage",
                    WAIT);

            redis.restart();
            Http.Response accepted = Poll.forValue(WAIT, "a publish accepted once Redis is back", () -> {
                Http.Response r = publishQuietly(http, nodes.get(0), topic, "urn:after", "after");
                return r != null && r.status() == 200 ? r : null;
            });
            assertEquals("urn:after", accepted.body().trim());
            onB.awaitBody("data: after\n\n", WAIT);
            assertFalse(onB.isEof());
            assertEquals(List.of("urn:before", "urn:after"), SseEvents.ids(onB.body()));
            for (TestServer node : nodes) {
                assertTrue(node.hub().subscribers().stream().noneMatch(Subscriber::isEnded));
            }
            assertTrue(nodes.get(1).subscriberOf(topic).isPresent(), "nobody was taken for gone");

            try (RawSseClient resumed = subscribe(nodes.get(2), topic, "Last-Event-ID: urn:before")) {
                resumed.awaitBody("data: after\n\n", WAIT);
                assertEquals(List.of("urn:after"), SseEvents.ids(resumed.body()),
                        "what was acknowledged before the outage is still in the history");
            }
        }
    }

    @Test
    void aNodeTakenForGoneSendsItsSubscribersToReconnectAndRegistersAgain() throws IOException {
        String topic = topic();
        try (Http http = new Http(); RawSseClient onA = subscribe(nodes.get(0), topic)) {
            String id = nodes.get(0).awaitSubscriber(topic).id();
            // what another node does once node-0's heartbeat has expired: its subscribers' ends announced, it gone
            assertEquals(":1", redis.command("ZREM", "lifeline:nodes", "node-0"));
            assertEquals(":1", redis.command("DEL", "lifeline:subscriptions:node-0"));
            assertTrue(onA.awaitEof(WAIT), "sent to reconnect");
            List<SseEvents.Event> blocks = SseEvents.parse(onA.body());
            String cursor = blocks.get(blocks.size() - 1).id();
            Poll.until(WAIT, "node-0 registered again", () -> nodes.get(1).hub().census().containsKey("node-0"));
            try (RawSseClient again = subscribe(nodes.get(0), topic, "Last-Event-ID: " + cursor)) {
                String newId = nodes.get(0).awaitSubscriber(topic).id();
                assertTrue(!newId.equals(id));
                Poll.until(WAIT, "listed again", () -> nodes.get(2).hub().subscriptions().of(newId).isPresent());
                publish(http, nodes.get(1), topic, "urn:after", "after");
                again.awaitBody("data: after\n\n", WAIT);
            }
        }
    }

    @Test
    void aSlowRedisMakesPublishesWaitButEndsNoSubscriber() throws Exception {
        String topic = topic();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Http http = new Http(); RawSseClient onB = subscribe(nodes.get(1), topic)) {
            String id = nodes.get(1).awaitSubscriber(topic).id();
            redis.freeze();
            Future<Http.Response> pending;
            try {
                pending = pool.submit(() -> publish(http, nodes.get(0), topic, "urn:slow", "slow"));
                int heartbeats = heartbeats(onB.body());
                onB.awaitBodyWhere(c -> heartbeats(c.body()) >= heartbeats + 3, "three heartbeats while Redis is "
                        + "frozen", WAIT);
                assertFalse(pending.isDone(), "the publish waits for Redis");
                redis.thaw();
                Http.Response answer = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(200, answer.status(), answer.body());
            } finally {
                redis.thaw();
            }
            onB.awaitBody("data: slow\n\n", WAIT);
            assertFalse(onB.isEof(), "the subscriber stayed");
            assertEquals(id, nodes.get(1).subscriberOf(topic).map(s -> s.id()).orElse(null), "the same subscriber");
        } finally {
            pool.shutdownNow();
        }
    }

    private static int heartbeats(String body) {
        int count = 0;
        for (int at = body.indexOf(":\n\n"); at >= 0; at = body.indexOf(":\n\n", at + 1)) {
            count++;
        }
        return count;
    }

    @Test
    void whenRedisLosesItsDataEveryNodesSubscribersAreSentToReconnectAndResumeInTheNewHistory() throws IOException {
        String topic = topic();
        try (Http http = new Http()) {
            String cursor;
            try (RawSseClient onB = subscribe(nodes.get(1), topic)) {
                nodes.get(1).awaitSubscriber(topic);
                publish(http, nodes.get(0), topic, "urn:old", "old");
                onB.awaitBody("data: old\n\n", WAIT);
                assertEquals("+OK", redis.command("FLUSHALL"));
                assertTrue(onB.awaitEof(WAIT), "sent to reconnect");
                List<SseEvents.Event> blocks = SseEvents.parse(onB.body());
                SseEvents.Event last = blocks.get(blocks.size() - 1);
                assertTrue(last.retry() != null && last.id() != null, "told when and where to resume: " + last);
                cursor = last.id();
            }
            Poll.until(WAIT, "node B's subscriber gone", () -> nodes.get(1).subscriberOf(topic).isEmpty());
            // A client that connects while a node has not yet noticed is sent back once more; this one waits.
            String oldEpoch = epochOf(cursor);
            Poll.until(WAIT, "every node in one new history", () -> nodes.stream()
                    .map(n -> epochOf(n.hub().position())).distinct().filter(e -> !e.equals(oldEpoch)).count() == 1
                    && nodes.stream().noneMatch(n -> epochOf(n.hub().position()).equals(oldEpoch)));
            try (RawSseClient again = subscribe(nodes.get(2), topic, "Last-Event-ID: " + cursor)) {
                nodes.get(2).awaitSubscriber(topic);
                publish(http, nodes.get(0), topic, "urn:new", "new");
                again.awaitBody("data: new\n\n", WAIT);
                assertEquals(List.of("urn:new"), SseEvents.ids(again.body()));
            }
        }
    }

    private static Http.Response publish(Http http, TestServer node, String topic, String id, String data)
            throws IOException {
        return http.publish(node.uri("/.well-known/mercure"), node.publisherToken(), "topic", topic, "id", id,
                "data", data);
    }

    private static Http.Response publishQuietly(Http http, TestServer node, String topic, String id, String data) {
        try {
            return publish(http, node, topic, id, data);
        } catch (IOException e) {
            return null;
        }
    }

    private static RawSseClient subscribe(TestServer node, String topic, String... headers) throws IOException {
        RawSseClient client = RawSseClient.open(node.port(), "/.well-known/mercure?topic="
                + URLEncoder.encode(topic, StandardCharsets.UTF_8), headers);
        client.awaitHead(WAIT);
        return client;
    }

    /** The epoch of a position id, {@code urn:lifeline:position:<epoch>-<sequence>}. */
    private static String epochOf(String position) {
        String rest = position.substring("urn:lifeline:position:".length());
        return rest.substring(0, rest.lastIndexOf('-'));
    }

    private static String topic() {
        return "https://example.com/cluster/" + UUID.randomUUID();
    }
}
