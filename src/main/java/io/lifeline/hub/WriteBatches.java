package io.lifeline.hub;

import io.lifeline.subscriber.Subscriber;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The writes one fan-out asks for, handed to the writer threads {@value #SIZE} subscribers to a task rather than one
 * task each: an update that reaches 1,000,000 subscribers costs about 4,000 tasks, not 1,000,000. The first batch
 * leaves once it is full, so the first subscribers' bytes move while the fan-out goes on.
 */
final class WriteBatches {

    static final int SIZE = 256;

    private final Executor writers;
    /** Made on the first add: most updates reach few subscribers, and many reach none. */
    private Subscriber[] batch;
    private int size;

    WriteBatches(Executor writers) {
        this.writers = writers;
    }

    /** Adds a subscriber that needs a writer run ({@link Subscriber#offerForBatch}). */
    void add(Subscriber subscriber) {
        if (batch == null) {
            batch = new Subscriber[SIZE];
        }
        batch[size++] = subscriber;
        if (size == SIZE) {
            flush();
        }
    }

    /** Hands what is collected to a writer thread. */
    void flush() {
        if (size == 0) {
            return;
        }
        Subscriber[] due = batch;
        int count = size;
        batch = null;
        size = 0;
        Runnable writes = () -> {
            for (int i = 0; i < count; i++) {
                due[i].write();
            }
        };
        try {
            writers.execute(writes);
        } catch (RejectedExecutionException stopping) {
            writes.run(); // the hub is stopping: no claimed run may be left pending
        }
    }
}
