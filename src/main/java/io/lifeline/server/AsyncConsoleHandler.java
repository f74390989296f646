package io.lifeline.server;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * The embedded program's console handler: writes log lines to standard error, like the JDK's {@code ConsoleHandler},
 * but formats and writes them on a thread of its own, so that a subscriber's start or end line costs the thread that
 * logs it a queue offer. The JDK's handler formats and writes under one lock: a burst of subscribers connecting or
 * leaving on a busy core queued behind it for tens of milliseconds at a time.
 *
 * <p>No line is lost and their order is kept: a full queue ({@value #CAPACITY} lines) makes the logging thread wait
 * for room; a {@code WARNING} or {@code SEVERE} line waits until everything before it is written, then is written at
 * once, so that the reason for a failed start is on the console before the program exits; {@link #flush()} and
 * {@link #close()} return once the queue is written. Configured like {@code ConsoleHandler}, with this class's name:
 * {@code io.lifeline.server.AsyncConsoleHandler.level} and {@code .formatter}.</p>
 */
public final class AsyncConsoleHandler extends Handler {

    static final int CAPACITY = 8192;

    private final BlockingQueue<LogRecord> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final PrintStream out;
    private final Thread writer;
    /** Lines handed to the queue, and lines written from it (guarded by this). */
    private final AtomicLong queued = new AtomicLong();
    private long written;

    public AsyncConsoleHandler() {
        this(System.err);
    }

    AsyncConsoleHandler(PrintStream out) {
        this.out = out;
        LogManager manager = LogManager.getLogManager();
        String prefix = getClass().getName();
        setLevel(parseLevel(manager.getProperty(prefix + ".level")));
        setFormatter(newFormatter(manager.getProperty(prefix + ".formatter")));
        writer = new Thread(this::run, "lifeline-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            flush();
            write(List.of(record));
            return;
        }
        try {
            queued.incrementAndGet();
            queue.put(record);
        } catch (InterruptedException e) {
            queued.decrementAndGet();
            Thread.currentThread().interrupt();
            write(List.of(record));
        }
    }

    /** Returns once every line queued before the call is written. */
    @Override
    public void flush() {
        long target = queued.get();
        synchronized (this) {
            while (written < target && writer.isAlive()) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        out.flush();
    }

    @Override
    public void close() {
        flush();
        writer.interrupt();
    }

    private void run() {
        List<LogRecord> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, 255);
            synchronized (this) {
                write(batch);
                written += batch.size();
                notifyAll();
            }
            batch.clear();
        }
    }

    private synchronized void write(List<LogRecord> records) {
        StringBuilder lines = new StringBuilder();
        for (LogRecord record : records) {
            try {
                lines.append(getFormatter().format(record));
            } catch (RuntimeException e) {
                reportError(null, e, ErrorManager.FORMAT_FAILURE);
            }
        }
        out.print(lines);
        out.flush();
    }

    private static Level parseLevel(String name) {
        try {
            return name == null ? Level.ALL : Level.parse(name.trim());
        } catch (IllegalArgumentException e) {
            return Level.ALL;
        }
    }

    private static Formatter newFormatter(String className) {
        if (className != null) {
            try {
                return (Formatter) ClassLoader.getSystemClassLoader().loadClass(className.trim())
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | ClassCastException e) {
                // fall back to the JDK's default, as ConsoleHandler does
            }
        }
        return new SimpleFormatter();
    }
}
