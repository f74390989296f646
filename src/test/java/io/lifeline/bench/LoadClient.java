package io.lifeline.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Event-stream subscribers by the thousand on one selector thread: HTTP/1.1 GETs from many loopback source addresses
 * (127.0.0.2 and up, so that ephemeral ports never run out), a chunked-body decoder, and an SSE line reader that
 * counts events and comments and reads the publish time an update's {@code data: T<nanos>} line carries (the
 * publisher runs in this process, so {@link System#nanoTime()} compares). Everything it measures is counted on the
 * selector thread and read through atomics.
 */
final class LoadClient implements AutoCloseable {

    static final int SOURCE_ADDRESSES = 40;

    private final InetSocketAddress server;
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(256 * 1024);
    private final byte[] bytes = new byte[256 * 1024];
    private volatile boolean running = true;
    private int nextSource;

    final AtomicLong connected = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong events = new AtomicLong();
    final AtomicLong comments = new AtomicLong();
    final AtomicLong closedByServer = new AtomicLong();
    /** Publish-to-receive latency of each update received, while {@link #recordLatency} is set. */
    final Histogram latency = new Histogram();
    /** From a client's FIN to the server's close, for connections that leave with {@link #leave}. */
    final Histogram cleanup = new Histogram();
    /** From starting to connect to the stream's first bytes. */
    final Histogram firstBytes = new Histogram();
    volatile boolean recordLatency;
    /** The time between two comments (heartbeats) on one connection, while {@link #recordGaps} is set. */
    final Histogram heartbeatGaps = new Histogram();
    volatile boolean recordGaps;
    /** When the last event carrying data arrived, {@link System#nanoTime()}. */
    final AtomicLong lastEventNanos = new AtomicLong();
    /** Connections that reached their first bytes, then left at once with a FIN: the churn's cycles. */
    final AtomicLong cycles = new AtomicLong();

    LoadClient(InetSocketAddress server) throws IOException {
        this.server = server;
        this.selector = Selector.open();
        this.thread = new Thread(this::run, "load-client");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** What to do once the stream's first body bytes arrived. */
    enum Mode { HOLD, CHURN }

    /**
     * Opens {@code n} subscribers, {@code path.apply(i)} each, at most {@code inFlight} connecting at once; returns
     * when every one has its first bytes or failed, or the deadline passed.
     */
    void open(int n, IntFunction<String> path, String headers, int inFlight, long deadlineNanos)
            throws InterruptedException {
        long target = connected.get() + failed.get() + refused.get() + n;
        for (int i = 0; i < n; i++) {
            while (started.get() - (connected.get() + failed.get() + refused.get()) >= inFlight) {
                if (System.nanoTime() > deadlineNanos) {
                    return;
                }
                Thread.sleep(1);
            }
            String request = "GET " + path.apply(i) + " HTTP/1.1\r\nHost: " + server.getHostString() + "\r\n"
                    + "Accept: text/event-stream\r\n" + headers + "\r\n";
            connect(request, Mode.HOLD);
        }
        while (connected.get() + failed.get() + refused.get() < target && System.nanoTime() < deadlineNanos) {
            Thread.sleep(1);
        }
    }

    /**
     * Connects, reads the first bytes, leaves with a FIN and waits for the server's close, again and again with
     * {@code inFlight} at once, for {@code seconds}; returns the cycles completed.
     */
    long churn(String request, int inFlight, double seconds) throws InterruptedException {
        long before = cycles.get();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        churning = true;
        churnRequest = request;
        for (int i = 0; i < inFlight; i++) {
            connect(request, Mode.CHURN);
        }
        while (System.nanoTime() < end) {
            Thread.sleep(5);
        }
        churning = false;
        long done = cycles.get() - before;
        long quiet = System.nanoTime() + 10_000_000_000L;
        while (open.get() > 0 && System.nanoTime() < quiet) {
            Thread.sleep(5);
        }
        return done;
    }

    private volatile boolean churning;
    private volatile String churnRequest;
    private final AtomicLong started = new AtomicLong();
    /** Connections not yet closed. */
    final AtomicLong open = new AtomicLong();
    private final List<Conn> held = new ArrayList<>();

    /** Sends a FIN on {@code n} held connections; the server's close is timed into {@link #cleanup}. */
    void leave(int n) {
        execute(() -> {
            int left = 0;
            for (Conn c : held) {
                if (left == n) {
                    break;
                }
                if (!c.finSent && c.channel.isOpen()) {
                    c.fin();
                    left++;
                }
            }
        });
    }

    /** Closes every connection (the server sees a FIN and, where it writes, an RST). */
    void closeAll() throws InterruptedException {
        execute(() -> {
            for (Conn c : held) {
                c.close();
            }
            held.clear();
        });
        long quiet = System.nanoTime() + 10_000_000_000L;
        while (open.get() > 0 && System.nanoTime() < quiet) {
            Thread.sleep(5);
        }
    }

    private void connect(String request, Mode mode) {
        started.incrementAndGet();
        open.incrementAndGet();
        InetAddress source = source();
        execute(() -> {
            Conn c = new Conn(request, mode);
            try {
                c.channel = SocketChannel.open();
                c.channel.configureBlocking(false);
                c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.channel.bind(new InetSocketAddress(source, 0));
                c.startedNanos = System.nanoTime();
                if (c.channel.connect(server)) {
                    c.key = c.channel.register(selector, SelectionKey.OP_WRITE, c);
                } else {
                    c.key = c.channel.register(selector, SelectionKey.OP_CONNECT, c);
                }
                if (mode == Mode.HOLD) {
                    held.add(c);
                }
            } catch (IOException e) {
                failed.incrementAndGet();
                c.close();
            }
        });
    }

    private synchronized InetAddress source() {
        int i = nextSource++ % SOURCE_ADDRESSES;
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void run() {
        while (running) {
            try {
                selector.select(100);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    Conn c = (Conn) key.attachment();
                    if (!key.isValid()) {
                        continue;
                    }
                    try {
                        if (key.isConnectable()) {
                            c.channel.finishConnect();
                            key.interestOps(SelectionKey.OP_WRITE);
                        } else if (key.isWritable()) {
                            c.send();
                        } else if (key.isReadable()) {
                            c.read();
                        }
                    } catch (IOException e) {
                        if (!c.gotFirstBytes) {
                            failed.incrementAndGet();
                        }
                        c.close();
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }

    /** One connection and its response's parsing state. */
    private final class Conn {
        final String request;
        final Mode mode;
        SocketChannel channel;
        SelectionKey key;
        long startedNanos;
        long finNanos;
        long lastCommentNanos;
        boolean finSent;
        boolean gotFirstBytes;
        boolean closed;
        // response parsing
        boolean inHead = true;
        boolean chunked;
        int chunkLeft = -1; // -1: reading a chunk-size line
        final StringBuilder line = new StringBuilder();
        final StringBuilder sseLine = new StringBuilder();
        boolean eventHasData;

        Conn(String request, Mode mode) {
            this.request = request;
            this.mode = mode;
        }

        void send() throws IOException {
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            key.interestOps(SelectionKey.OP_READ);
        }

        void fin() {
            finSent = true;
            finNanos = System.nanoTime();
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                close();
            }
        }

        void read() throws IOException {
            readBuffer.clear();
            int n = channel.read(readBuffer);
            if (n < 0) {
                closedByServer.incrementAndGet();
                if (finSent) {
                    cleanup.record(System.nanoTime() - finNanos);
                    if (mode == Mode.CHURN) {
                        cycles.incrementAndGet();
                    }
                } else if (!gotFirstBytes) {
                    failed.incrementAndGet();
                }
                close();
                if (mode == Mode.CHURN && churning) {
                    connect(churnRequest, Mode.CHURN);
                }
                return;
            }
            readBuffer.flip();
            readBuffer.get(bytes, 0, n);
            parse(bytes, n);
        }

        void parse(byte[] b, int n) {
            int i = 0;
            while (i < n) {
                if (inHead) {
                    char ch = (char) b[i++];
                    if (ch == '\n') {
                        String header = line.toString().trim();
                        line.setLength(0);
                        if (header.startsWith("HTTP/")) {
                            if (!header.contains(" 200")) {
                                refused.incrementAndGet();
                                gotFirstBytes = true; // counted; it will be closed
                                close();
                                return;
                            }
                        } else if (header.isEmpty()) {
                            inHead = false;
                        } else if (header.regionMatches(true, 0, "transfer-encoding:", 0, 18)
                                && header.toLowerCase().contains("chunked")) {
                            chunked = true;
                        }
                    } else {
                        line.append(ch);
                    }
                    continue;
                }
                if (!chunked) {
                    body(b, i, n - i);
                    return;
                }
                if (chunkLeft < 0) {
                    char ch = (char) b[i++];
                    if (ch == '\n') {
                        String size = line.toString().trim();
                        line.setLength(0);
                        if (!size.isEmpty()) {
                            int semicolon = size.indexOf(';');
                            chunkLeft = Integer.parseInt(semicolon < 0 ? size : size.substring(0, semicolon), 16);
                        }
                    } else {
                        line.append(ch);
                    }
                    continue;
                }
                int take = Math.min(chunkLeft, n - i);
                body(b, i, take);
                i += take;
                chunkLeft -= take;
                if (chunkLeft == 0) {
                    chunkLeft = -1; // the CRLF after the data is read as an empty size line
                }
            }
        }

        void body(byte[] b, int from, int length) {
            if (length > 0 && !gotFirstBytes) {
                gotFirstBytes = true;
                connected.incrementAndGet();
                firstBytes.record(System.nanoTime() - startedNanos);
                if (mode == Mode.CHURN) {
                    fin();
                    return;
                }
            }
            for (int i = from; i < from + length; i++) {
                char ch = (char) b[i];
                if (ch != '\n') {
                    sseLine.append(ch);
                    continue;
                }
                if (sseLine.length() == 0) {
                    if (eventHasData) {
                        events.incrementAndGet();
                        lastEventNanos.set(System.nanoTime());
                        eventHasData = false;
                    }
                } else if (sseLine.charAt(0) == ':') {
                    comments.incrementAndGet();
                    long now = System.nanoTime();
                    if (recordGaps && lastCommentNanos != 0) {
                        heartbeatGaps.record(now - lastCommentNanos);
                    }
                    lastCommentNanos = now;
                } else if (sseLine.length() > 7 && sseLine.charAt(0) == 'd' && sseLine.indexOf("data:") == 0) {
                    eventHasData = true;
                    int t = sseLine.indexOf("T");
                    if (recordLatency && t >= 0 && t < 8) {
                        int end = t + 1;
                        while (end < sseLine.length() && Character.isDigit(sseLine.charAt(end))) {
                            end++;
                        }
                        if (end > t + 1) {
                            latency.record(System.nanoTime() - Long.parseLong(sseLine, t + 1, end, 10));
                        }
                    }
                }
                sseLine.setLength(0);
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            open.decrementAndGet();
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** Nanosecond samples kept as they come (bounded), read as percentiles in milliseconds. */
    static final class Histogram {
        private static final int MAX = 4_000_000;
        private long[] samples = new long[1024];
        private int size;

        synchronized void record(long nanos) {
            if (size == MAX) {
                return;
            }
            if (size == samples.length) {
                samples = java.util.Arrays.copyOf(samples, Math.min(MAX, size * 2));
            }
            samples[size++] = nanos;
        }

        synchronized void reset() {
            size = 0;
        }

        synchronized int count() {
            return size;
        }

        /** The {@code p}-th percentile (0-100) in milliseconds, or NaN without samples. */
        synchronized double percentileMillis(double p) {
            if (size == 0) {
                return Double.NaN;
            }
            long[] sorted = java.util.Arrays.copyOf(samples, size);
            java.util.Arrays.sort(sorted);
            int index = (int) Math.min(size - 1, Math.ceil(p / 100 * size) - 1);
            return sorted[Math.max(0, index)] / 1e6;
        }
    }
}
