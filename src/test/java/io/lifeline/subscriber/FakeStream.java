package io.lifeline.subscriber;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A response in memory that a test steers as a container would: ready or not, a write that stays unfinished until
 * the test finishes it, a write that fails, a write that holds its thread inside the stream. It keeps the Servlet
 * API's rule (after a write or a flush, ask {@link #isReady()} before the next) and fails a test that writes after
 * the response completed or was aborted, or that ends it twice.
 */
final class FakeStream implements SseStream {

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private volatile boolean ready = true;
    /** The next write leaves the stream not ready: it stays unfinished until {@link #finishWrite()}. */
    private volatile boolean nextWriteStaysUnfinished;
    private volatile IOException failure;
    private volatile CountDownLatch holdInsideWrite;
    private final CountDownLatch insideWrite = new CountDownLatch(1);
    private boolean asked;
    final AtomicInteger completions = new AtomicInteger();
    final AtomicInteger aborts = new AtomicInteger();
    /** A use of the stream that broke the container's rules, or null. */
    volatile String misuse;

    @Override
    public synchronized boolean isReady() {
        asked = ready;
        return ready;
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        CountDownLatch hold = holdInsideWrite;
        if (hold != null) {
            holdInsideWrite = null;
            insideWrite.countDown();
            await(hold);
        }
        synchronized (this) {
            use("write");
            written.write(bytes, 0, bytes.length);
            if (nextWriteStaysUnfinished) {
                nextWriteStaysUnfinished = false;
                ready = false;
            }
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        use("flush");
    }

    @Override
    public void complete() {
        ended("complete", completions);
    }

    @Override
    public void abort() {
        ended("abort", aborts);
    }

    private synchronized void ended(String how, AtomicInteger count) {
        if (completions.get() + aborts.get() > 0) {
            misuse = how + " after the response had ended";
        }
        count.incrementAndGet();
    }

    private void use(String what) throws IOException {
        if (completions.get() + aborts.get() > 0) {
            misuse = what + " after the response had ended";
        }
        if (!asked) {
            misuse = what + " without isReady() first";
        }
        asked = false;
        IOException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /** From now on the stream takes no bytes: a write stays unfinished until {@link #finishWrite()}. */
    void notReady() {
        ready = false;
    }

    /** The next write lands, then the connection takes no more until {@link #finishWrite()}. */
    void nextWriteStaysUnfinished() {
        nextWriteStaysUnfinished = true;
    }

    /** The unfinished write has finished: ready again (the test then calls the subscriber's onWritable). */
    void finishWrite() {
        ready = true;
    }

    /** Every write from now on fails with {@code failure}. */
    void failWith(IOException failure) {
        this.failure = failure;
    }

    /** The next write holds its thread inside the stream until {@code release} counts down. */
    void holdNextWrite(CountDownLatch release) {
        holdInsideWrite = release;
    }

    /** Waits until a write held by {@link #holdNextWrite} is inside the stream. */
    void awaitInsideWrite() {
        await(insideWrite);
    }

    synchronized String text() {
        return written.toString(StandardCharsets.UTF_8);
    }

    boolean ended() {
        return completions.get() + aborts.get() > 0;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("a latch was not counted down within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
