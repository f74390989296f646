package io.lifeline.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.protocol.Update;
import io.lifeline.testing.Poll;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fan-out runs outside the transport's lock, one update at a time: while one update fans out (to a million
 * subscribers, say), new subscribers connect without waiting for it, publishers wait for their own updates only, and
 * everything reaches the fan-out once, in order. A publisher that finds no fan-out running runs its own; an update
 * nobody can receive is kept and numbered without a fan-out.
 */
class LocalTransportTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void aLongFanOutHoldsUpNeitherANewSubscriberNorTheNextPublisherAndOrderIsKept() throws Exception {
        CountDownLatch fanningOut = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        LocalTransport transport = new LocalTransport(new History(100, 1 << 20), published -> {
            seen.add("update " + published.sequence());
            if (published.sequence() == 1) {
                fanningOut.countDown();
                await(release);
            }
        }, topics -> true);

        var first = threads.submit(() -> transport.publish(update("u1"), false));
        assertTrue(fanningOut.await(5, TimeUnit.SECONDS), "the first update fans out");

        var second = threads.submit(() -> transport.publish(update("u2"), false));
        Poll.until(Duration.ofSeconds(5), "the second update is numbered and kept",
                () -> "u2".equals(transport.lastEventId()));
        AtomicLong joinedAfter = new AtomicLong(-1);
        String preceding = threads.submit(() -> transport.connect("u1", null, List.of(), replayed -> seen.add("replay "
                + replayed.sequence()), (position, sequence) -> joinedAfter.set(sequence))).get(5, TimeUnit.SECONDS);
        transport.atPosition(position -> seen.add("position " + position.substring(position.lastIndexOf('-') + 1)));
        assertEquals("u1", preceding);
        assertEquals(2, joinedAfter.get(), "it joined after update 2, which it had in its replay");
        assertFalse(first.isDone(), "the first publisher waits for its update's fan-out");
        assertFalse(second.isDone(), "the second waits its turn: publishers cannot outrun the fan-out");

        release.countDown();
        first.get(5, TimeUnit.SECONDS);
        second.get(5, TimeUnit.SECONDS);
        Poll.until(Duration.ofSeconds(5), "the position's action runs in its turn", () -> seen.size() == 4);
        assertEquals(List.of("update 1", "replay 2", "update 2", "position 2"), seen);
        transport.close();
    }

    @Test
    void aPublishMadeFromInsideTheFanOutGoesOutRightAfterTheUpdateInProgress() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        LocalTransport[] transport = new LocalTransport[1];
        transport[0] = new LocalTransport(new History(100, 1 << 20), published -> {
            seen.add(published.sequence());
            if (published.sequence() == 1) {
                transport[0].publish(update("from-inside"), true);
                seen.add(-1L); // the inner publish returned before its fan-out
            }
        }, topics -> true);
        transport[0].publish(update("outer"), false);
        Poll.until(Duration.ofSeconds(5), "the inner publish is fanned out", () -> seen.size() == 3);
        assertEquals(List.of(1L, -1L, 2L), seen);
        transport[0].close();
    }

    @Test
    void aSubscribersAnnouncementsComeAfterItsReplayAndBeforeItJoins() {
        List<String> seen = new CopyOnWriteArrayList<>();
        LocalTransport transport = new LocalTransport(new History(100, 1 << 20),
                published -> seen.add("fan-out " + name(published)), topics -> true);
        transport.publish(update("u1"), false);
        AtomicLong joinedAfter = new AtomicLong(-1);
        String[] joinedAt = new String[1];

        transport.connect(Transport.EARLIEST, null, List.of(announcement("started")), replayed -> seen.add("replay "
                + name(replayed)), (position, sequence) -> {
                    joinedAfter.set(sequence);
                    joinedAt[0] = position;
                });
        transport.publish(update("greeting"), false);

        assertEquals(List.of("fan-out u1", "replay u1", "fan-out started", "fan-out greeting"), seen);
        assertEquals(2, joinedAfter.get(), "it joined after its announcement: the fan-out does not give it its own");
        assertEquals("2", joinedAt[0].substring(joinedAt[0].lastIndexOf('-') + 1),
                "its cursor is the position after its announcement");
        transport.close();
    }

    @Test
    void aPublisherThatFindsNoFanOutRunningFansItsUpdateOutOnItsOwnThreadAndTheHubsEventsGoToTheFanOutThread() {
        List<String> threadsSeen = new CopyOnWriteArrayList<>();
        LocalTransport transport = new LocalTransport(new History(100, 1 << 20),
                published -> threadsSeen.add(published.update().id() + " on " + Thread.currentThread().getName()),
                topics -> true);
        transport.publish(update("u1"), false);
        transport.publish(update("event"), true);
        Poll.until(Duration.ofSeconds(5), "the hub's event is fanned out", () -> threadsSeen.size() == 2);
        assertEquals(List.of("u1 on " + Thread.currentThread().getName(), "event on lifeline-fan-out"), threadsSeen);
        transport.close();
    }

    @Test
    void anUpdateNobodyCanReceiveIsKeptAndNumberedWithoutAFanOutAndLaterOnesStillGoOutInOrder() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch fanningOut = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LocalTransport transport = new LocalTransport(new History(100, 1 << 20), published -> {
            seen.add(published.update().id());
            if (published.update().id().equals("slow")) {
                fanningOut.countDown();
                await(release);
            }
        }, topics -> !topics.get(0).contains("unheard"));

        transport.publish(update("unheard-1"), false);
        assertEquals(List.of(), seen, "nobody could receive it: no fan-out");
        assertEquals("unheard-1", transport.lastEventId());
        AtomicLong joinedAfter = new AtomicLong(-1);
        transport.connect(null, null, List.of(announcement("unheard-announcement")), replayed -> { },
                (position, sequence) -> joinedAfter.set(sequence));
        assertEquals(2, joinedAfter.get(), "both are numbered");
        String[] position = new String[1];
        transport.atPosition(p -> position[0] = p);
        assertTrue(position[0].endsWith("-2"), "with nothing queued, the position's action runs at once: "
                + position[0]);

        var slow = threads.submit(() -> transport.publish(update("slow"), false));
        assertTrue(fanningOut.await(5, TimeUnit.SECONDS), "the slow update fans out");
        transport.publish(update("unheard-2"), true); // behind a fan-out in progress: queued in its turn
        transport.publish(update("after"), true);
        release.countDown();
        slow.get(5, TimeUnit.SECONDS);
        Poll.until(Duration.ofSeconds(5), "the later updates are fanned out", () -> seen.contains("after"));
        assertEquals(List.of("slow", "after"), seen, "an update nobody can receive reaches no fan-out");
        transport.close();
    }

    private static Update update(String id) {
        return new Update(id, List.of("https://example.com/" + id), "x", null, OptionalLong.empty(), false);
    }

    /** A subscription event on {@code https://example.com/<name>}, built only when read. */
    private static Announcement announcement(String name) {
        return new Announcement(List.of("https://example.com/" + name), 100,
                id -> new Update(id, List.of("https://example.com/" + name), "x", null, OptionalLong.empty(), true));
    }

    /** A publisher's update by its id, the hub's own event by its topic's last segment. */
    private static String name(Published published) {
        String topic = published.topics().get(0);
        return published.hubEvent() ? topic.substring(topic.lastIndexOf('/') + 1) : published.update().id();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
