package io.lifeline.subscriber;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * A subscriber's bounded queue of frames and the single writer that drains it into the response.
 *
 * <p>Anyone may queue (a publisher, the heartbeat, the departure probe, a replay) and nobody waits: queuing never touches the
 * connection. Only the holder of the writer lock touches the response, writing while the container says
 * {@code isReady()}; when it says no, the writer leaves, and the container's {@code onWritePossible} brings a writer
 * back. The lock is only ever tried, never waited for: a thread that finds it taken leaves a flag, and the holder
 * runs once more before letting go. Completing or aborting the response goes through the same door, so the
 * response is never written and completed at once.</p>
 *
 * <p>The queue is bounded in bytes; a frame that would overflow a non-empty queue marks the outbox overflowed: from
 * then on it takes nothing more, and the subscriber ends {@code write-stalled} on another thread than the one that
 * overflowed it (a publisher's, usually). A single frame larger than the bound is still accepted into an empty
 * queue.</p>
 *
 * <p>Its atomic fields are plain fields updated through {@link VarHandle}s, not one atomic object each: with the
 * subscriber's own, about 235 B less heap per subscriber ({@code HubCoreBench}), and queuing a frame reads and updates
 * the outbox itself instead of four more objects.</p>
 */
final class Outbox {

    private static final VarHandle QUEUED_BYTES = Fields.handle(MethodHandles.lookup(), "queuedBytes", long.class);
    private static final VarHandle REPLAY_ALLOWANCE =
            Fields.handle(MethodHandles.lookup(), "replayAllowance", long.class);
    private static final VarHandle WRITER = Fields.handle(MethodHandles.lookup(), "writer", Thread.class);
    private static final VarHandle SCHEDULED = Fields.handle(MethodHandles.lookup(), "scheduled", boolean.class);
    private static final VarHandle OVERFLOWED = Fields.handle(MethodHandles.lookup(), "overflowed", boolean.class);
    private static final VarHandle CLOSING = Fields.handle(MethodHandles.lookup(), "closing", Runnable.class);

    /**
     * Written after a final frame (the departure probe, the shutdown's reconnection hint) has been flushed. A
     * container may report a failed non-blocking write only through a later {@code onError} (Jetty does), while its
     * response already refuses the next write; an empty write tells at once whether the frame reached the
     * connection.
     */
    private static final byte[] NOTHING = new byte[0];

    /** How long {@link #drainIfDeep} pauses between two looks at a busy writer lock. */
    private static final long CATCH_UP_PAUSE_NANOS = 20_000;

    private final Subscriber owner;
    private final SseStream stream;
    private final SubscriberHost host;
    private final long limitBytes;

    private final Queue<Frame> frames = new ConcurrentLinkedQueue<>();
    private volatile long queuedBytes;
    /** The thread holding the writer lock, or null: only ever tried ({@link #tryLockWriter}), never waited for. */
    private volatile Thread writer;
    /** Someone asked for a writer run while the lock was held: the holder runs once more. */
    private volatile boolean again;
    /** A writer run is pending on a writer thread ({@link #claimWriter}). */
    private volatile boolean scheduled;
    /** What closing the outbox does last, set once by {@link #close}, taken once by the writer. */
    private volatile Runnable closing;
    /** Bytes of replayed updates still queued, which the bound does not count. */
    private volatile long replayAllowance;

    /** Set once the container has said the response can be written; until then nothing is written. */
    private volatile boolean writable;
    private volatile boolean closed;
    /** Set once a frame did not fit: nothing more is taken, and the subscriber is ending. */
    private volatile boolean overflowed;
    /** When a write last failed to finish at once, or 0 while the connection takes bytes. */
    private volatile long blockedSinceNanos;
    private volatile long updatesSent;
    private volatile long bytesSent;

    // Guarded by the writer lock.
    /** The stream said it was ready and nothing was written since: a heartbeat need not ask again. */
    private boolean knownReady;
    private boolean unflushed;
    private boolean finalWritten;

    Outbox(Subscriber owner, SseStream stream, SubscriberHost host, long limitBytes) {
        this.owner = owner;
        this.stream = stream;
        this.host = host;
        this.limitBytes = limitBytes;
    }

    /**
     * Queues a frame; returns false if the subscriber has ended or overflowed, or if this frame overflows the queue,
     * in which case the subscriber is told (it ends elsewhere) and the caller returns at once.
     */
    boolean offer(Frame frame) {
        if (closed || overflowed) {
            return false;
        }
        long size = frame.size();
        long after = (long) QUEUED_BYTES.getAndAdd(this, size) + size;
        if (after - replayAllowance > limitBytes && after > size) {
            QUEUED_BYTES.getAndAdd(this, -size);
            if (OVERFLOWED.compareAndSet(this, false, true)) {
                owner.onOverflow();
            }
            return false;
        }
        frames.add(frame);
        host.queuedBytes(size);
        if (closed) {
            discard(); // the subscriber ended while this frame went in: leave nothing behind
        }
        return true;
    }

    /**
     * Writes a heartbeat on the calling thread, if the stream is idle: writable, nothing queued, no write unfinished,
     * no other thread writing. A busy stream gets none; its connection is not idle. The readiness check before the
     * write is skipped when the last one said ready and nothing was written since; the Servlet API wants one after
     * the write and one after the flush ({@code ServletOutputStream#isReady}).
     */
    void heartbeat() {
        if (!writable || closed || blockedSinceNanos != 0 || !frames.isEmpty() || !tryLockWriter()) {
            return;
        }
        try {
            if (!closed && frames.isEmpty() && (knownReady || stream.isReady())) {
                knownReady = false;
                stream.write(Frame.HEARTBEAT.bytes);
                bytesSent += Frame.HEARTBEAT.size();
                unflushed = true; // until flushed here, or by the writer once the container says it may
                if (stream.isReady()) {
                    unflushed = false;
                    stream.flush();
                    knownReady = stream.isReady();
                }
            }
            if (!knownReady) {
                blocked();
            }
        } catch (Throwable e) {
            owner.onWriteFailed(e);
        } finally {
            unlockWriter();
        }
        if (again) {
            pump(); // someone queued a frame or closed the outbox meanwhile
        }
    }

    /** Queues a heartbeat unless bytes are already waiting, which would keep the connection busy anyway. */
    void offerHeartbeat() {
        if (frames.isEmpty() && blockedSinceNanos == 0 && offer(Frame.HEARTBEAT)) {
            requestWrite();
        }
    }

    /** Queues an update replayed from the history; the replay is bounded by the history, not by this queue. */
    void offerReplay(Frame frame) {
        REPLAY_ALLOWANCE.getAndAdd(this, frame.size());
        if (!offer(frame)) {
            REPLAY_ALLOWANCE.getAndAdd(this, -frame.size());
        }
    }

    /**
     * Queues a small frame of the hub's own past the bound: a cursor, or the subscriber's last frame. {@code now}:
     * write it from this thread rather than a writer thread.
     */
    void offerOwn(Frame frame, boolean now) {
        if (closed) {
            return;
        }
        QUEUED_BYTES.getAndAdd(this, frame.size());
        frames.add(frame);
        host.queuedBytes(frame.size());
        if (closed) {
            discard();
        } else if (now) {
            pump();
        } else {
            requestWrite();
        }
    }

    /**
     * Asks a writer thread to drain the queue; the caller returns at once. Until the container has said the stream
     * can be written, nobody is asked: its first call ({@link #onWritable}) drains what is queued, and a writer
     * woken before it would find nothing it may do.
     */
    void requestWrite() {
        if (!writable && !closed) {
            return;
        }
        if (claimWriter()) {
            try {
                host.writers().execute(this::runWriter);
            } catch (RejectedExecutionException e) {
                scheduled = false; // the hub is stopping; its shutdown ends this subscriber
            }
        }
    }

    /**
     * Claims the one pending writer run: true if none was pending, and the caller must then see that
     * {@link #runWriter} runs (the fan-out does, in batches), false if one already will.
     */
    boolean claimWriter() {
        return SCHEDULED.compareAndSet(this, false, true);
    }

    /**
     * Drains the queue on the calling thread if it holds more than half its bound; if another thread holds the writer
     * lock, waits for it to let go, until {@code untilNanos} at the latest, unless the connection has stopped taking
     * bytes.
     *
     * <p>A run pending on the writer threads lets the frames of several updates go out in one write, which is what
     * keeps a fan-out to thousands cheap. But a publisher faster than the writers (on a machine whose cores the
     * publisher's own work keeps busy, a writer gets only part of one) would overflow the queue of a subscriber that
     * keeps up. Drained here, such a
     * subscriber's bytes move at the publisher's pace: the wait is for the hub's own writer, bounded, and never for a
     * client, whose connection that takes nothing leaves the lock free and costs a readiness check.</p>
     */
    void drainIfDeep(long untilNanos) {
        while (queuedBytes - replayAllowance > limitBytes / 2 && !closed && !overflowed) {
            Thread holder = writer;
            if (holder == null) {
                pump();
                return;
            }
            if (holder == Thread.currentThread() || blockedSinceNanos != 0 || System.nanoTime() - untilNanos >= 0) {
                return;
            }
            LockSupport.parkNanos(CATCH_UP_PAUSE_NANOS);
        }
    }

    /** The writer run {@link #claimWriter} claimed: drains the queue on the calling thread. */
    void runWriter() {
        scheduled = false;
        pump();
    }

    /** The container says the response can take bytes again. */
    void onWritable() {
        writable = true;
        pump();
    }

    /**
     * Closes the outbox: drops what is queued, then completes or aborts the response, then runs {@code then}.
     * Happens at once when no writer is busy, otherwise as soon as the busy writer notices.
     */
    void close(boolean abort, Runnable then) {
        closing = () -> {
            try {
                if (abort) {
                    stream.abort();
                } else {
                    stream.complete();
                }
            } finally {
                then.run();
            }
        };
        closed = true;
        pump();
    }

    boolean isBlocked() {
        return blockedSinceNanos != 0;
    }

    long blockedSinceNanos() {
        return blockedSinceNanos;
    }

    long queuedBytes() {
        return queuedBytes;
    }

    long updatesSent() {
        return updatesSent;
    }

    long bytesSent() {
        return bytesSent;
    }

    private void pump() {
        again = true;
        if (writer == Thread.currentThread()) {
            return; // called back from inside the writer: the loop below runs again
        }
        while (again && (writable || closed) && tryLockWriter()) {
            try {
                again = false;
                if (closed) {
                    finishClose();
                } else {
                    drain();
                }
            } finally {
                unlockWriter();
            }
        }
    }

    /** Takes the writer lock if no thread holds it; never waits. Not reentrant: the holder asking again gets false. */
    private boolean tryLockWriter() {
        return WRITER.compareAndSet(this, null, Thread.currentThread());
    }

    /** Lets go of the writer lock; what it guarded is visible to the next holder (a volatile write). */
    private void unlockWriter() {
        writer = null;
    }

    /** A write did not finish at once: the container calls {@link #onWritable} when it has. */
    private void blocked() {
        if (blockedSinceNanos == 0) {
            blockedSinceNanos = System.nanoTime();
            owner.onWriteBlocked();
        }
    }

    private void finishClose() {
        discard();
        Runnable last = (Runnable) CLOSING.getAndSet(this, null);
        if (last != null) {
            last.run();
        }
    }

    private void drain() {
        try {
            while (!closed) {
                knownReady = false;
                if (!stream.isReady()) {
                    blocked();
                    return;
                }
                knownReady = true;
                blockedSinceNanos = 0;
                Frame frame = frames.poll();
                if (frame == null) {
                    if (unflushed) {
                        unflushed = false;
                        knownReady = false;
                        stream.flush();
                        continue;
                    }
                    if (finalWritten) {
                        finalWritten = false;
                        knownReady = false;
                        stream.write(NOTHING); // surfaces a failure the container would only report later
                        owner.onFinalFrameWritten();
                    }
                    return;
                }
                dequeued(frame);
                knownReady = false;
                stream.write(frame.bytes);
                unflushed = true;
                bytesSent += frame.size();
                if (frame.kind == Frame.Kind.UPDATE) {
                    updatesSent++;
                    host.delivered(owner);
                } else if (frame.kind == Frame.Kind.FINAL) {
                    finalWritten = true;
                }
            }
        } catch (Throwable e) {
            owner.onWriteFailed(e);
        }
    }

    private void discard() {
        Frame frame;
        while ((frame = frames.poll()) != null) {
            dequeued(frame);
        }
    }

    private void dequeued(Frame frame) {
        long allowance;
        do { // the replay goes first
            allowance = replayAllowance;
        } while (allowance > 0
                && !REPLAY_ALLOWANCE.compareAndSet(this, allowance, Math.max(0, allowance - frame.size())));
        QUEUED_BYTES.getAndAdd(this, -frame.size());
        host.queuedBytes(-frame.size());
    }
}
