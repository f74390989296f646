package io.lifeline.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The embedded program's log appender: each line goes to standard error from a thread of its own, lines that came
 * together in one write.
 *
 * <p>A subscriber's start and end are one line each, and a hub whose clients come and go by the thousand a second
 * logs thousands a second. Written by the thread that logs them, each line was a system call that thread waited for,
 * behind a lock every logging thread shares. Here the thread that logs only hands the event on ({@link
 * ILoggingEvent#prepareForDeferredProcessing}: its message formatted, its thread named) to a bounded queue, and waits
 * only when the queue is full, so no line is ever dropped. The writer thread encodes what has queued and writes it at
 * once, then waits for more: one system call for every line that queued meanwhile.</p>
 *
 * <p>{@link #stop()} writes whatever is queued before it returns; the program stops its logging last.</p>
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    /** Lines queued at most; a logging thread waits beyond. */
    public static final int QUEUE_LINES = 16_384;

    private final BlockingQueue<ILoggingEvent> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
    /** Lines handed to the appender, and lines written: {@link #awaitWritten} waits for the second to catch up. */
    private final AtomicLong appended = new AtomicLong();
    private volatile long written;
    private final OutputStream out = new FileOutputStream(FileDescriptor.err);
    private Encoder<ILoggingEvent> encoder;
    private Thread writer;

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for the appender named [" + name + "]");
            return;
        }
        writer = new Thread(this::writeLoop, "lifeline-log-writer");
        writer.setDaemon(true);
        super.start();
        writer.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        appended.incrementAndGet();
        try {
            queue.put(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            write(List.of(event)); // the line is not lost: this thread writes it itself
        }
    }

    private void writeLoop() {
        List<ILoggingEvent> batch = new ArrayList<>();
        while (isStarted() || !queue.isEmpty()) {
            try {
                ILoggingEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                write(batch);
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private synchronized void write(List<ILoggingEvent> events) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(events.size() * 160);
        for (ILoggingEvent event : events) {
            byte[] line = encoder.encode(event);
            bytes.write(line, 0, line.length);
        }
        try {
            bytes.writeTo(out);
        } catch (IOException e) {
            addError("the log could not be written to standard error", e);
        }
        written += events.size(); // under this method's lock
    }

    /**
     * Waits until every line logged before this call is on standard error, {@code within} at most: for a line written
     * elsewhere (the readiness line, on standard output) that must come after them.
     */
    public void awaitWritten(Duration within) {
        long target = appended.get();
        long deadline = System.nanoTime() + within.toNanos();
        while (written < target && System.nanoTime() - deadline < 0 && isStarted()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ILoggingEvent> rest = new ArrayList<>();
        queue.drainTo(rest);
        if (!rest.isEmpty()) {
            write(rest);
        }
    }
}
