package io.lifeline.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.1 connection of the probe, plain or TLS, read with deadlines, and ended exactly as a departure asks:
 * {@link #fin()}, {@link #closeNotify()}, {@link #reset()} or {@link #close()}.
 *
 * <p>A response body is decoded as its framing says (RFC 9112, section 6): chunked, a {@code Content-Length}, or
 * until the connection closes. The server ended the stream when the body ends: its last chunk, its length reached,
 * its side of the connection closed (a FIN) or reset (an RST). {@link #end()} says which.</p>
 *
 * <p>Not thread-safe: one check owns each connection.</p>
 */
final class Connection implements AutoCloseable {

    /** How the server's side of the response stands. */
    enum End {
        /** Still open. */
        OPEN,
        /** The server sent the last chunk (and its trailers), or the whole {@code Content-Length}. */
        RESPONSE_ENDED,
        /** The server closed its side: a FIN arrived, or over TLS a close_notify. */
        CLOSED,
        /** The server, or the network, reset the connection: an RST arrived. */
        RESET;

        /** The words a report uses for this end. */
        String words() {
            return switch (this) {
                case OPEN -> "still open";
                case RESPONSE_ENDED -> "ended the response";
                case CLOSED -> "closed its side";
                case RESET -> "reset the connection";
            };
        }
    }

    private static final Pattern CHUNK_SIZE = Pattern.compile("[0-9A-Fa-f]{1,15}");

    private final Socket tcp;
    private final SSLSocket tls;
    private final Set<Connection> open;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[32 * 1024];
    private int pos;
    private int lim;
    private boolean chunked;
    /**
     * Chunked: bytes left in the current chunk, or -1 before a size line, -2 before the CRLF after data, -3 among the
     * trailer lines after the last chunk.
     */
    private long chunkLeft = -1;
    /** With a {@code Content-Length}: bytes left, else -1. */
    private long lengthLeft = -1;
    private End end = End.OPEN;

    /** @param open the set of open connections this one joins until it is closed */
    Connection(Socket tcp, SSLSocket tls, Set<Connection> open) throws IOException {
        this.tcp = tcp;
        this.tls = tls;
        this.open = open;
        open.add(this);
        this.in = tls == null ? tcp.getInputStream() : tls.getInputStream();
        this.out = tls == null ? tcp.getOutputStream() : tls.getOutputStream();
    }

    /** The ALPN protocol agreed over TLS ({@code h2}, {@code http/1.1}), or null for plain TCP or none agreed. */
    String applicationProtocol() {
        String protocol = tls == null ? null : tls.getApplicationProtocol();
        return protocol == null || protocol.isEmpty() ? null : protocol;
    }

    boolean tls() {
        return tls != null;
    }

    /** Writes bytes as they are. */
    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes a request head (ISO-8859-1, as RFC 9112 reads it) and an optional body. */
    void send(String requestHead, byte[] body) throws IOException {
        out.write(requestHead.getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
    }

    /**
     * Reads the response head, skipping interim {@code 1xx} responses.
     *
     * @return the head, or null if none arrived by the deadline ({@link System#nanoTime()})
     * @throws IOException the connection ended first, or what came is not HTTP
     */
    ResponseHead readHead(long deadline) throws IOException {
        while (true) {
            int endOfHead = -1;
            while ((endOfHead = indexOfEmptyLine()) < 0) {
                int n = fill(deadline);
                if (n == 0) {
                    return null;
                }
                if (n < 0) {
                    throw new IOException(pos == lim ? "the server " + end.words() + " before any response"
                            : "the server " + end.words() + " in the middle of the response head");
                }
            }
            String text = new String(buf, pos, endOfHead - pos, StandardCharsets.ISO_8859_1).strip();
            pos = skipEmptyLine(endOfHead);
            ResponseHead parsed = ResponseHead.parse(text);
            if (parsed == null) {
                throw new IOException("the answer is not HTTP/1.1: " + firstLine(text));
            }
            if (parsed.status() >= 100 && parsed.status() < 200) {
                continue;
            }
            chunked = parsed.lists("transfer-encoding", "chunked");
            String length = parsed.field("content-length");
            if (!chunked && length != null) {
                try {
                    lengthLeft = Long.parseLong(length.trim());
                } catch (NumberFormatException e) {
                    throw new IOException("Content-Length is not a number: " + length);
                }
                if (lengthLeft == 0) {
                    end = End.RESPONSE_ENDED;
                }
            }
            return parsed;
        }
    }

    /**
     * Makes ready for the next response on this connection (keep-alive), once the last one has ended.
     *
     * @throws IllegalStateException the last response has not ended
     */
    void nextResponse() {
        if (end != End.RESPONSE_ENDED) {
            throw new IllegalStateException("the response has not ended: " + end);
        }
        end = End.OPEN;
        chunked = false;
        chunkLeft = -1;
        lengthLeft = -1;
    }

    /** The response's framing, as a report names it. */
    String framing() {
        return chunked ? "chunked" : lengthLeft >= 0 ? "Content-Length" : "until close";
    }

    /**
     * Reads decoded body bytes.
     *
     * @return how many were read into {@code dst}; 0 when none came by the deadline; -1 when the body has ended
     *         ({@link #end()} says how)
     * @throws IOException the body's framing is broken
     */
    int readBody(byte[] dst, long deadline) throws IOException {
        while (true) {
            if (end != End.OPEN) {
                return -1;
            }
            if (pos == lim) {
                int n = fill(deadline);
                if (n <= 0) {
                    return n;
                }
            }
            if (!chunked) {
                int n = lim - pos;
                if (lengthLeft >= 0) {
                    n = (int) Math.min(n, lengthLeft);
                }
                n = Math.min(n, dst.length);
                System.arraycopy(buf, pos, dst, 0, n);
                pos += n;
                if (lengthLeft >= 0 && (lengthLeft -= n) == 0) {
                    end = End.RESPONSE_ENDED;
                }
                return n;
            }
            if (chunkLeft > 0) {
                int n = (int) Math.min(Math.min(lim - pos, chunkLeft), dst.length);
                System.arraycopy(buf, pos, dst, 0, n);
                pos += n;
                chunkLeft -= n;
                if (chunkLeft == 0) {
                    chunkLeft = -2;
                }
                return n;
            }
            int newline = indexOf((byte) '\n');
            if (newline < 0) {
                if (lim - pos > 1024) {
                    throw new IOException("a chunk size line is longer than 1024 bytes");
                }
                int n = fill(deadline);
                if (n <= 0) {
                    return n;
                }
                continue;
            }
            String line = new String(buf, pos, newline - pos, StandardCharsets.ISO_8859_1).strip();
            pos = newline + 1;
            if (chunkLeft == -2) {
                chunkLeft = -1;
                continue;
            }
            if (chunkLeft == -3) {
                if (line.isEmpty()) {
                    end = End.RESPONSE_ENDED;
                    return -1;
                }
                continue;
            }
            int semicolon = line.indexOf(';');
            String size = semicolon < 0 ? line : line.substring(0, semicolon).strip();
            if (!CHUNK_SIZE.matcher(size).matches()) {
                throw new IOException("a chunk size is not hexadecimal: " + line);
            }
            chunkLeft = Long.parseLong(size, 16);
            if (chunkLeft == 0) {
                chunkLeft = -3;
            }
        }
    }

    /**
     * Reads bytes as they come, without HTTP framing (an HTTP/2 frame, say).
     *
     * @return how many were read; 0 when none came by the deadline; -1 at the end of the connection
     */
    int readRaw(byte[] dst, long deadline) throws IOException {
        if (pos == lim) {
            int n = fill(deadline);
            if (n <= 0) {
                return n;
            }
        }
        int n = Math.min(lim - pos, dst.length);
        System.arraycopy(buf, pos, dst, 0, n);
        pos += n;
        return n;
    }

    /** How the server's side stands, as far as this connection has read. */
    End end() {
        return end;
    }

    /**
     * Shuts down the sending side of TCP: a FIN, and this side reads on. Under TLS, the FIN goes out under the TLS
     * layer, without a close_notify, as a full-proxy load balancer or a vanished client leaves.
     */
    void fin() throws IOException {
        tcp.shutdownOutput();
    }

    /**
     * Sends a TLS close_notify alert (RFC 8446, section 6.1) and reads on; no FIN follows, since the TLS layer was
     * opened without closing the socket under it.
     */
    void closeNotify() throws IOException {
        tls.shutdownOutput();
    }

    /** Closes with an RST: a zero linger time makes the kernel abort the connection (RFC 9293, section 3.10.4). */
    void reset() throws IOException {
        tcp.setSoLinger(true, 0);
        abort();
    }

    /**
     * Closes as a client does: takes what is readable first (on Linux, closing with unread bytes sends an RST
     * instead of a FIN), then closes TLS with its close_notify and TCP with a FIN.
     */
    @Override
    public void close() {
        try {
            if (!tcp.isClosed()) {
                long deadline = System.nanoTime() + 50_000_000L;
                do {
                    pos = lim;
                } while (fill(deadline) > 0);
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            if (tls != null) {
                tls.close();
            }
        } catch (IOException ignored) {
            // the TCP close below still ends it
        }
        abort();
    }

    /** Closes the socket at once, unread bytes or not: ends a check that a write or read still holds. */
    void abort() {
        open.remove(this);
        try {
            tcp.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    /** Reads more raw bytes after those buffered: how many, 0 by the deadline, -1 at the end of the connection. */
    private int fill(long deadline) throws IOException {
        if (end == End.CLOSED || end == End.RESET) {
            return -1;
        }
        compact();
        if (lim == buf.length) {
            throw new IOException("more than " + buf.length + " bytes without a line break");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return 0;
        }
        try {
            tcp.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000L)));
            int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) {
                end = End.CLOSED;
                return -1;
            }
            lim += n;
            return n;
        } catch (SocketTimeoutException e) {
            return 0;
        } catch (IOException e) {
            end = e instanceof SocketException && e.getMessage() != null && e.getMessage().contains("reset")
                    ? End.RESET : End.CLOSED;
            return -1;
        }
    }

    private void compact() {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
    }

    private int indexOf(byte b) {
        for (int i = pos; i < lim; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private int indexOfEmptyLine() {
        for (int i = pos; i < lim; i++) {
            if (buf[i] == '\n' && ((i + 1 < lim && buf[i + 1] == '\n')
                    || (i + 2 < lim && buf[i + 1] == '\r' && buf[i + 2] == '\n'))) {
                return i;
            }
        }
        return -1;
    }

    private int skipEmptyLine(int newline) {
        return buf[newline + 1] == '\n' ? newline + 2 : newline + 3;
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
