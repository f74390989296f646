package io.lifeline.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.protocol.Update;
import io.lifeline.subscriber.Frame;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.MemoryHub;
import io.lifeline.testing.MemoryStream;
import io.lifeline.topic.Matcher;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A fan-out hands its writes to the writer threads in batches, not one task per subscriber. */
class WriteBatchesTest {

    @Test
    void aThousandSubscribersNeedingAWriteCostFourTasksAndEachGetsItsFrameOnce() throws Exception {
        try (Hub hub = MemoryHub.start(false)) {
            List<int[]> written = new ArrayList<>();
            List<Subscriber> subscribers = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int[] count = new int[1];
                written.add(count);
                Subscriber subscriber = new Subscriber("s" + i, Matcher.selectors(List.of("t")), null, "remote",
                        "client", new MemoryStream(bytes -> count[0]++), hub);
                subscriber.onWritable(); // writes the opening comment on this thread
                subscribers.add(subscriber);
            }
            AtomicInteger tasks = new AtomicInteger();
            WriteBatches batches = new WriteBatches(task -> {
                tasks.incrementAndGet();
                task.run();
            });
            Frame frame = Frame.of(new Update("u1", List.of("t"), "d", null, OptionalLong.empty(), false));

            for (Subscriber subscriber : subscribers) {
                assertTrue(subscriber.offerForBatch(frame, System.nanoTime()), "the first queued frame asks for a writer run");
                assertFalse(subscriber.offerForBatch(frame, System.nanoTime()), "a second one finds the run already claimed");
                batches.add(subscriber);
            }
            batches.flush();

            assertEquals(4, tasks.get(), "1,000 subscribers in batches of " + WriteBatches.SIZE);
            for (int[] count : written) {
                assertEquals(3, count[0], "the opening comment, then both frames in one writer run");
            }
        }
    }
}
