package io.lifeline.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.protocol.Update;
import io.lifeline.testing.RedisServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The history in Redis against a real {@code redis-server}: its bounds, its index of ids, and where replays start. */
class RedisStreamTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws IOException {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws IOException {
        redis.close();
    }

    @BeforeEach
    void emptyIt() {
        assertEquals("+OK", redis.command("FLUSHALL"));
    }

    @Test
    void eachStreamKeepsTheNewestUpdatesUpToTheHistorysCount() {
        try (RedisStream stream = RedisStream.open(redis.uri(), 3, 1 << 20, TIMEOUT)) {
            for (int i = 1; i <= 5; i++) {
                stream.append(List.of(update("urn:u" + i, false, 10)));
            }
            for (int i = 1; i <= 4; i++) {
                stream.append(List.of(update("urn:e" + i, true, 10)));
            }
            RedisStream.Connected all = stream.connect(new RedisStream.Resume.AfterId("earliest"), List.of());
            assertFalse(all.found());
            assertEquals(List.of("urn:u3", "urn:u4", "urn:u5", "urn:e2", "urn:e3", "urn:e4"), ids(all.replay()),
                    "the hub's own events never push publishers' updates out");
            assertEquals(9, all.head());
        }
    }

    @Test
    void eachStreamKeepsTheNewestUpdatesUpToTheHistorysBytesAndAtLeastOne() {
        try (RedisStream stream = RedisStream.open(redis.uri(), 100, 100, TIMEOUT)) {
            for (int i = 1; i <= 4; i++) {
                stream.append(List.of(update("urn:u" + i, false, 40)));
            }
            assertEquals(List.of("urn:u3", "urn:u4"), ids(replayAll(stream)));
            stream.append(List.of(update("urn:big", false, 500)));
            assertEquals(List.of("urn:big"), ids(replayAll(stream)), "one update larger than the bound stays alone");
        }
    }

    @Test
    void anUpdateThatLeftTheHistoryStaysInTheStreamUntilEveryNodeHasReadIt() {
        try (RedisStream stream = RedisStream.open(redis.uri(), 3, 1 << 20, TIMEOUT)) {
            assertTrue(stream.beat("slow", Duration.ofSeconds(30), true, 0));
            for (int i = 1; i <= 6; i++) {
                stream.append(List.of(update("urn:u" + i, false, 10)));
            }
            assertEquals(List.of("urn:u4", "urn:u5", "urn:u6"), ids(replayAll(stream)), "the history's bound");
            assertEquals(6, stream.read(0, Duration.ofMillis(100), 100).size(), "all still there for the slow node");

            assertTrue(stream.beat("slow", Duration.ofSeconds(30), false, 6));
            stream.append(List.of(update("urn:u7", false, 10)));
            assertEquals(List.of("urn:u5", "urn:u6", "urn:u7"), ids(stream.read(0, Duration.ofMillis(100), 100)),
                    "once it has read them, they go");
        }
    }

    @Test
    void aReusedIdResumesAfterItsEarliestCopyStillHeld() {
        try (RedisStream stream = RedisStream.open(redis.uri(), 4, 1 << 20, TIMEOUT)) {
            stream.append(List.of(update("urn:x", false, 1), update("urn:y", false, 1), update("urn:x", false, 1),
                    update("urn:z", false, 1)));
            RedisStream.Connected afterX = stream.connect(new RedisStream.Resume.AfterId("urn:x"), List.of());
            assertTrue(afterX.found());
            assertEquals(List.of("urn:y", "urn:x", "urn:z"), ids(afterX.replay()));

            stream.append(List.of(update("urn:w", false, 1))); // the first copy of urn:x goes
            afterX = stream.connect(new RedisStream.Resume.AfterId("urn:x"), List.of());
            assertTrue(afterX.found());
            assertEquals(List.of("urn:z", "urn:w"), ids(afterX.replay()), "now after the second copy");

            stream.append(List.of(update("urn:v", false, 1), update("urn:t", false, 1)));
            assertFalse(stream.connect(new RedisStream.Resume.AfterId("urn:x"), List.of()).found(),
                    "no copy held: an unknown id");
        }
    }

    @Test
    void aPositionResumesWhileEverythingAfterItIsHeldAndOnlyInItsOwnEpoch() {
        try (RedisStream stream = RedisStream.open(redis.uri(), 2, 1 << 20, TIMEOUT)) {
            RedisStream.Appended first = stream.append(List.of(update("urn:a", false, 1)));
            stream.append(List.of(update("urn:b", false, 1)));
            RedisStream.Connected fromFirst = stream.connect(
                    new RedisStream.Resume.After(first.epoch(), first.sequence()), List.of());
            assertTrue(fromFirst.found());
            assertEquals(List.of("urn:b"), ids(fromFirst.replay()));

            assertFalse(stream.connect(new RedisStream.Resume.After("another", first.sequence()), List.of())
                    .found(), "a position of another history is unknown");
            assertFalse(stream.connect(new RedisStream.Resume.After(first.epoch(), 99), List.of()).found(),
                    "a position beyond the last update is unknown");

            stream.append(List.of(update("urn:c", false, 1), update("urn:d", false, 1))); // urn:b goes
            assertFalse(stream.connect(new RedisStream.Resume.After(first.epoch(), first.sequence()), List.of())
                    .found(), "an update after the position is gone");
        }
    }

    @Test
    void aSubscribersAnnouncementsComeAfterItsReplayAndItJoinsAfterThem() {
        try (RedisStream stream = RedisStream.open(redis.uri(), 10, 1 << 20, TIMEOUT)) {
            stream.append(List.of(update("urn:a", false, 1)));
            RedisStream.Connected connected = stream.connect(new RedisStream.Resume.AfterId("earliest"),
                    List.of(update("urn:announced-1", true, 1), update("urn:announced-2", true, 1)));
            assertEquals(List.of("urn:a"), ids(connected.replay()));
            assertEquals(3, connected.head());
            assertEquals(List.of("urn:a", "urn:announced-1", "urn:announced-2"),
                    ids(stream.read(0, Duration.ofMillis(100), 100)));
        }
    }

    @Test
    void aReadReturnsBothStreamsInOneOrderAndNothingBeyondWhatItHasWholly() {
        try (RedisStream stream = RedisStream.open(redis.uri(), 100, 1 << 20, TIMEOUT)) {
            for (int i = 1; i <= 10; i++) {
                stream.append(List.of(update("urn:" + i, i % 3 == 0, 1)));
            }
            List<String> read = new ArrayList<>();
            long at = 0;
            while (read.size() < 10) {
                List<RedisStream.Entry> batch = stream.read(at, Duration.ofMillis(100), 2);
                for (RedisStream.Entry e : batch) {
                    assertEquals(at + 1, e.sequence(), "dense and in order");
                    at = e.sequence();
                    read.add(e.update().id());
                }
            }
            assertEquals(List.of("urn:1", "urn:2", "urn:3", "urn:4", "urn:5", "urn:6", "urn:7", "urn:8", "urn:9",
                    "urn:10"), read);
        }
    }

    @Test
    void aRangeReturnsBothStreamsInOrderAfterOneSequenceUpToAnother() {
        try (RedisStream stream = RedisStream.open(redis.uri(), 100, 1 << 20, TIMEOUT)) {
            for (int i = 1; i <= 6; i++) {
                stream.append(List.of(update("urn:" + i, i % 2 == 0, 1)));
            }
            assertEquals(List.of("urn:3", "urn:4", "urn:5"), ids(stream.range(2, 5)));
            assertEquals(List.of(), stream.range(6, 6));
        }
    }

    @Test
    void anUpdateComesBackAsItWasPublished() {
        try (RedisStream stream = RedisStream.open(redis.uri(), 10, 1 << 20, TIMEOUT)) {
            Update sent = new Update("urn:full", List.of("https://a/1", "https://a/2"), "line 1\nline 2 é",
                    "kind", OptionalLong.of(1500), true);
            stream.append(List.of(new RedisStream.Outgoing(sent, false, 10)));
            assertEquals(sent, stream.read(0, Duration.ofMillis(100), 10).get(0).update());
        }
    }

    @Test
    void openingAnUnreachableRedisSaysWhereItLooked() throws IOException {
        String uri = RedisServer.unreachableUri();
        RedisUnavailableException e = assertThrows(RedisUnavailableException.class,
                () -> RedisStream.open(uri + "/0", 10, 1000, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().startsWith("cannot reach Redis at " + uri), e.getMessage());
    }

    private static List<RedisStream.Entry> replayAll(RedisStream stream) {
        return stream.connect(new RedisStream.Resume.AfterId("earliest"), List.of()).replay();
    }

    private static RedisStream.Outgoing update(String id, boolean hubEvent, long bytes) {
        return new RedisStream.Outgoing(new Update(id, List.of("https://example.com/t"), "d", null,
                OptionalLong.empty(), false), hubEvent, bytes);
    }

    private static List<String> ids(List<RedisStream.Entry> entries) {
        return entries.stream().map(e -> e.update().id()).toList();
    }
}
