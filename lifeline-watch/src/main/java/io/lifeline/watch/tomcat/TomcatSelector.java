package io.lifeline.watch.tomcat;

import io.lifeline.tcp.SocketError;
import io.lifeline.tcp.TcpSockets;
import io.lifeline.watch.DepartureListener;
import io.lifeline.watch.DepartureWatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector, served by one thread, watching every Tomcat connection Lifeline streams on.
 *
 * <p>Registering and cancelling happen on the selector's thread: a cancelled key is dropped only at the next select,
 * and while it is registered the channel's socket cannot really close. Cancelling therefore waits, briefly, for the
 * selector to have dropped the key, so the response completes on a connection this selector no longer holds.</p>
 *
 * <p>Departures are reported on a thread of their own, so the selector never waits on what a subscriber does
 * next.</p>
 */
final class TomcatSelector {

    private static final Logger LOG = LoggerFactory.getLogger(TomcatSelector.class);
    private static final int STRAY_BYTES_PER_WAKEUP = 64 * 1024;

    private final TcpSockets tcp;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(512);
    private Selector selector;
    private Thread thread;
    private ExecutorService departures;
    private volatile boolean running;

    /** @param tcp tells a connection the kernel gave up on for a client that stopped reading */
    TomcatSelector(TcpSockets tcp) {
        this.tcp = tcp;
    }

    /** A watch on one channel; its methods are safe from any thread. */
    DepartureWatch.Handle watch(SocketChannel channel, DepartureListener listener, Runnable abort) {
        start();
        return new ChannelWatch(channel, listener, abort);
    }

    private synchronized void start() {
        if (running) {
            return;
        }
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("a selector could not be opened", e);
        }
        departures = Executors.newSingleThreadExecutor(r -> daemon(r, "lifeline-tomcat-departures"));
        running = true;
        thread = daemon(this::run, "lifeline-tomcat-watch");
        thread.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        departures.shutdown();
    }

    private void run() {
        try (Selector s = selector) {
            while (running) {
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                s.select(1000);
                for (SelectionKey key : s.selectedKeys()) {
                    if (key.isValid() && key.isReadable()) {
                        read(key);
                    }
                }
                s.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("the Tomcat departure watch stopped; departures fall back to heartbeats", e);
        }
    }

    private void read(SelectionKey key) {
        ChannelWatch watch = (ChannelWatch) key.attachment();
        SocketChannel channel = (SocketChannel) key.channel();
        try {
            int stray = 0;
            int n;
            while (stray < STRAY_BYTES_PER_WAKEUP) {
                buffer.clear();
                n = channel.read(buffer);
                if (n < 0) {
                    key.cancel();
                    report(watch, SocketError.NONE);
                    return;
                }
                if (n == 0) {
                    break;
                }
                stray += n;
            }
            if (stray > 0 && LOG.isDebugEnabled()) {
                LOG.debug("{}: discarded {} bytes the client sent after its request", channel, stray);
            }
        } catch (IOException e) {
            key.cancel();
            SocketError error = SocketError.of(e);
            report(watch, error == SocketError.TIMED_OUT ? tcp.timedOut(channel) : error);
        }
    }

    /**
     * A raw read tells a FIN (-1) from an RST ("Connection reset") and from a connection the kernel gave up on
     * ("Connection timed out", the TCP user timeout; {@link TcpSockets#timedOut} then tells a client that stopped
     * reading from one that vanished) for certain: no probe is needed.
     */
    private void report(ChannelWatch watch, SocketError error) {
        long now = System.nanoTime();
        departures.execute(() -> {
            if (!watch.cancelled) {
                switch (error) {
                    case RESET -> watch.listener.onReset(now);
                    case TIMED_OUT, STOPPED_READING -> watch.listener.onKernelGaveUp(error, now);
                    default -> watch.listener.onClosed(now);
                }
            }
        });
    }

    /** Runs a task on the selector's thread and returns when it has run, or after a short while. */
    private void onSelectorThread(Runnable task) {
        if (Thread.currentThread() == thread) {
            task.run();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                task.run();
            } finally {
                done.complete(null);
            }
        });
        selector.wakeup();
        try {
            done.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            LOG.warn("the Tomcat departure watch did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class ChannelWatch implements DepartureWatch.Handle {
        private final SocketChannel channel;
        private final DepartureListener listener;
        private final Runnable abort;
        private volatile boolean cancelled;
        private SelectionKey key; // selector thread only

        ChannelWatch(SocketChannel channel, DepartureListener listener, Runnable abort) {
            this.channel = channel;
            this.listener = listener;
            this.abort = abort;
        }

        @Override
        public void arm() {
            if (cancelled) {
                return;
            }
            tasks.add(() -> {
                if (cancelled || key != null) {
                    return;
                }
                try {
                    key = channel.register(selector, SelectionKey.OP_READ, this);
                } catch (ClosedChannelException e) {
                    report(this, SocketError.NONE);
                }
            });
            selector.wakeup();
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            onSelectorThread(() -> {
                if (key != null) {
                    key.cancel();
                    try {
                        selector.selectNow(); // drops the cancelled key: the channel is ours no longer
                    } catch (IOException e) {
                        LOG.debug("selectNow after a cancel failed", e);
                    }
                }
            });
        }

        @Override
        public void abort() {
            abort.run();
        }

        /** A write that failed because the kernel gave up: a client that stopped reading, or one that vanished. */
        @Override
        public boolean explain(Throwable failure) {
            return listener.onKernelGaveUp(tcp.ofFailure(failure, channel), System.nanoTime());
        }
    }
}
