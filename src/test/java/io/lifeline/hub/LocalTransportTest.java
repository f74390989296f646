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
 * The fan-out runs outside the transport's lock, on a thread of its own: while one update fans out (to a million
 * subscribers, say), new subscribers connect without waiting for it, publishers wait for their own updates only, and
 * everything reaches the fan-out once, in order.
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
        });

        var first = threads.submit(() -> transport.publish(update("u1"), false));
        assertTrue(fanningOut.await(5, TimeUnit.SECONDS), "the first update fans out");

        var second = threads.submit(() -> transport.publish(update("u2"), false));
        Poll.until(Duration.ofSeconds(5), "the second update is numbered and kept",
                () -> "u2".equals(transport.lastEventId()));
        AtomicLong joinedAfter = new AtomicLong(-1);
        String preceding = threads.submit(() -> transport.connect("u1", List.of(), replayed -> seen.add("replay "
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
        });
        transport[0].publish(update("outer"), false);
        Poll.until(Duration.ofSeconds(5), "the inner publish is fanned out", () -> seen.size() == 3);
        assertEquals(List.of(1L, -1L, 2L), seen);
        transport[0].close();
    }

    @Test
    void aSubscribersAnnouncementsComeAfterItsReplayAndBeforeItJoins() {
        List<String> seen = new CopyOnWriteArrayList<>();
        LocalTransport transport = new LocalTransport(new History(100, 1 << 20),
                published -> seen.add("fan-out " + published.update().id()));
        transport.publish(update("u1"), false);
        AtomicLong joinedAfter = new AtomicLong(-1);
        String[] joinedAt = new String[1];

        transport.connect(Transport.EARLIEST, List.of(update("started")), replayed -> seen.add("replay "
                + replayed.update().id()), (position, sequence) -> {
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

    private static Update update(String id) {
        return new Update(id, List.of("https://example.com/t"), "x", null, OptionalLong.empty(), false);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
