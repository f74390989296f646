package io.lifeline.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * An SSE client on a plain {@link Socket}, speaking raw HTTP/1.1 as Jetty's own tests do, so that a test decides
 * exactly how the connection ends: {@link #fin()} half-closes, {@link #reset()} sends an RST, {@link #drain()} then
 * {@link #close()} closes with nothing left unread (a FIN).
 */
public final class RawSseClient implements AutoCloseable {

    private final Socket socket;
    /** The TCP connection: the same as {@code socket}, or the one under TLS. */
    private final Socket tcp;
    private final InputStream in;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private final Bytes decoded = new Bytes();
    private BodyDecoder body;
    private String statusLine;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, List<String>> allHeaders = new LinkedHashMap<>();
    private int bodyStart = -1;
    private boolean eof;
    private boolean resetByPeer;

    private RawSseClient(Socket socket, Socket tcp) throws IOException {
        this.socket = socket;
        this.tcp = tcp;
        this.in = socket.getInputStream();
    }

    /** Opens a connection and sends {@code GET pathAndQuery}, its header lines encoded as UTF-8, as browsers do. */
    public static RawSseClient open(int port, String pathAndQuery, String... extraHeaderLines) throws IOException {
        return open(port, pathAndQuery, 0, extraHeaderLines);
    }

    /** The same with the header lines encoded in {@code charset} (ISO-8859-1, as older clients send them). */
    public static RawSseClient open(int port, String pathAndQuery, Charset charset,
                                    String... extraHeaderLines) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return send(new RawSseClient(socket, socket), port, pathAndQuery, charset, extraHeaderLines);
    }

    /**
     * @param receiveBuffer if positive, the socket's receive buffer, set before connecting so that the window
     *                      stays small: a client that stops reading then stalls the server quickly
     */
    public static RawSseClient open(int port, String pathAndQuery, int receiveBuffer, String... extraHeaderLines)
            throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return send(new RawSseClient(socket, socket), port, pathAndQuery, StandardCharsets.UTF_8, extraHeaderLines);
    }

    /**
     * The same over TLS. {@link #fin()} and {@link #reset()} act on the TCP connection under TLS, without a TLS
     * close_notify, as a browser that goes away does; {@link #close()} closes TLS properly.
     */
    public static RawSseClient openTls(int port, String pathAndQuery, String... extraHeaderLines) throws IOException {
        return openTls(port, pathAndQuery, 0, extraHeaderLines);
    }

    /** The same over TLS, with a small receive buffer if positive. */
    public static RawSseClient openTls(int port, String pathAndQuery, int receiveBuffer, String... extraHeaderLines)
            throws IOException {
        return openTls(port, pathAndQuery, receiveBuffer, StandardCharsets.UTF_8, extraHeaderLines);
    }

    /** Over TLS, the header lines encoded in {@code charset}. */
    public static RawSseClient openTls(int port, String pathAndQuery, int receiveBuffer,
                                       Charset charset, String... extraHeaderLines)
            throws IOException {
        return send(connectTls(port, receiveBuffer), port, pathAndQuery, charset, extraHeaderLines);
    }

    private static RawSseClient connectTls(int port, int receiveBuffer) throws IOException {
        Socket tcp = new Socket();
        if (receiveBuffer > 0) {
            tcp.setReceiveBufferSize(receiveBuffer);
        }
        tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) Tls.trustingClient().getSocketFactory()
                .createSocket(tcp, "127.0.0.1", port, true);
        javax.net.ssl.SSLParameters parameters = tls.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return new RawSseClient(tls, tcp);
    }

    /**
     * Opens a connection and sends {@code QUERY pathAndQuery} (RFC 10008) with {@code body} as its content, a form
     * ({@code application/x-www-form-urlencoded}) unless a {@code Content-Type} line is given.
     */
    public static RawSseClient query(int port, String pathAndQuery, String body, String... extraHeaderLines)
            throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return sendQuery(new RawSseClient(socket, socket), port, pathAndQuery, body, extraHeaderLines);
    }

    /** The same over TLS. */
    public static RawSseClient queryTls(int port, String pathAndQuery, String body, String... extraHeaderLines)
            throws IOException {
        return sendQuery(connectTls(port, 0), port, pathAndQuery, body, extraHeaderLines);
    }

    private static RawSseClient sendQuery(RawSseClient client, int port, String pathAndQuery, String body,
                                          String... extraHeaderLines) throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(extraHeaderLines));
        if (lines.stream().noneMatch(l -> l.regionMatches(true, 0, "Content-Type:", 0, 13))) {
            lines.add("Content-Type: application/x-www-form-urlencoded");
        }
        lines.add("Content-Length: " + content.length);
        send(client, "QUERY", port, pathAndQuery, StandardCharsets.UTF_8, lines.toArray(String[]::new));
        client.socket.getOutputStream().write(content);
        client.socket.getOutputStream().flush();
        return client;
    }

    private static RawSseClient send(RawSseClient client, int port, String pathAndQuery,
                                     Charset charset, String... extraHeaderLines) throws IOException {
        return send(client, "GET", port, pathAndQuery, charset, extraHeaderLines);
    }

    private static RawSseClient send(RawSseClient client, String method, int port, String pathAndQuery,
                                     Charset charset, String... extraHeaderLines) throws IOException {
        Socket socket = client.socket;
        StringBuilder request = new StringBuilder(method + " " + pathAndQuery + " HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("Accept: text/event-stream\r\n");
        for (String line : extraHeaderLines) {
            request.append(line).append("\r\n");
        }
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(charset));
        socket.getOutputStream().flush();
        return client;
    }

    /** Reads until the response head has arrived; returns the status code. */
    public int awaitHead(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        while (bodyStart < 0) {
            if (!readSome(deadline)) {
                throw new AssertionError("no response head within " + within.toMillis() + " ms; got: " + rawText());
            }
        }
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    /** Reads until the decoded body contains {@code text}. */
    public void awaitBody(String text, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        awaitHead(within);
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        int searched = 0;
        while (true) {
            byte[] body = decoded.toByteArrayView();
            int size = decoded.size();
            if (indexOf(body, size, needle, Math.max(0, searched - needle.length)) >= 0) {
                return;
            }
            searched = size;
            if (!readSome(deadline)) {
                throw new AssertionError("body did not contain " + text + " within " + within.toMillis()
                        + " ms; body so far: " + tail(body()) + (eof ? " (EOF)" : ""));
            }
        }
    }

    /**
     * Reads until {@code condition} holds for the body read so far, or fails after {@code within}: for conditions
     * over several events, such as a sum over ticks.
     */
    public void awaitBodyWhere(Predicate<RawSseClient> condition, String what, Duration within)
            throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        awaitHead(within);
        while (!condition.test(this)) {
            if (!readSome(deadline)) {
                throw new AssertionError("not within " + within.toMillis() + " ms: " + what + "; body so far: "
                        + tail(body()) + (eof ? " (EOF)" : ""));
            }
        }
    }

    /** Reads until the decoded body matches {@code pattern} somewhere; returns the last match. */
    public MatchResult awaitBodyMatching(Pattern pattern, Duration within)
            throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        awaitHead(within);
        while (true) {
            Matcher m = pattern.matcher(body());
            MatchResult last = null;
            while (m.find()) {
                last = m.toMatchResult();
            }
            if (last != null) {
                return last;
            }
            if (!readSome(deadline)) {
                throw new AssertionError("body did not match " + pattern + " within " + within.toMillis()
                        + " ms; body so far: " + tail(body()) + (eof ? " (EOF)" : ""));
            }
        }
    }

    private static String tail(String body) {
        return body.length() <= 2000 ? body : "..." + body.substring(body.length() - 2000);
    }

    private static int indexOf(byte[] hay, int size, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= size; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Reads until the server closes its side; returns false if it has not within the deadline. */
    public boolean awaitEof(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!eof) {
            if (!readSome(deadline) && !eof) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads at most {@code max} bytes, waiting at most {@code within} for the first: a reader that takes its stream
     * slowly. Returns how many it read, 0 when none came in time or the stream has ended.
     */
    public int readUpTo(int max, Duration within) throws IOException {
        if (eof) {
            return 0;
        }
        socket.setSoTimeout((int) Math.max(1, within.toMillis()));
        byte[] buffer = new byte[max];
        int n;
        try {
            n = in.read(buffer);
        } catch (SocketTimeoutException e) {
            return 0;
        } catch (SocketException e) {
            resetByPeer = true;
            eof = true;
            return 0;
        }
        if (n < 0) {
            eof = true;
            return 0;
        }
        received(buffer, n);
        return n;
    }

    /** Sends a FIN and keeps reading: the client's half-close. */
    public void fin() throws IOException {
        tcp.shutdownOutput();
    }

    /** Closes with SO_LINGER 0: the kernel sends an RST. */
    public void reset() throws IOException {
        tcp.setSoLinger(true, 0);
        tcp.close();
    }

    /**
     * A plain close. After {@link #drain()}, with nothing left unread, the kernel sends a FIN; with unread bytes it
     * would send an RST.
     */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Reads whatever has arrived, waiting at most a few milliseconds, so that a close leaves nothing unread. */
    public void drain() throws IOException {
        try {
            socket.setSoTimeout(20);
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                received(buffer, n);
            }
            eof = true;
        } catch (SocketTimeoutException | SocketException drained) {
            // nothing more to read now
        }
    }

    public int localPort() {
        return tcp.getLocalPort();
    }

    public String statusLine() {
        return statusLine;
    }

    /** A response header by case-insensitive name, one char per byte (ISO-8859-1), or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Every response header by its lower-cased name, the last value of each. */
    public Map<String, String> headerMap() {
        return Map.copyOf(headers);
    }

    /** Every value of a response header, in order; empty when absent. */
    public List<String> headers(String name) {
        return allHeaders.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** A response header's bytes read as UTF-8, or null. */
    public String headerUtf8(String name) {
        String raw = header(name);
        return raw == null ? null : new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** The body so far, de-chunked when the response is chunked. */
    public String body() {
        return new String(decoded.toByteArray(), StandardCharsets.UTF_8);
    }

    /** Raw bytes received after the head, framing included: what the server wrote. */
    public int rawBodyLength() {
        return bodyStart < 0 ? 0 : raw.size() - bodyStart;
    }

    /**
     * Whether the response ended as a completed response does: its last chunk if chunked, else (a body delimited
     * by the end of the connection) an EOF rather than a reset.
     */
    public boolean completedCleanly() {
        return eof && !resetByPeer && (!(body instanceof Chunked chunked) || chunked.done);
    }

    /** Whether the server reset the connection. */
    public boolean resetByPeer() {
        return resetByPeer;
    }

    public boolean isEof() {
        return eof;
    }

    private String rawText() {
        return raw.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads once, waiting at most until the deadline; false if nothing came (timeout or EOF). */
    private boolean readSome(long deadlineNanos) throws IOException {
        if (eof) {
            return false;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        byte[] buffer = new byte[8192];
        int n;
        try {
            n = in.read(buffer);
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            resetByPeer = true;
            eof = true;
            return false;
        }
        if (n < 0) {
            eof = true;
            return false;
        }
        received(buffer, n);
        return true;
    }

    private void received(byte[] buffer, int n) {
        raw.write(buffer, 0, n);
        if (bodyStart >= 0) {
            body.feed(buffer, 0, n);
            return;
        }
        parseHead();
        if (bodyStart >= 0) {
            byte[] all = raw.toByteArray();
            body.feed(all, bodyStart, all.length - bodyStart);
        }
    }

    private void parseHead() {
        if (bodyStart >= 0) {
            return;
        }
        String text = rawText();
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return;
        }
        String[] lines = text.substring(0, end).split("\r\n");
        statusLine = lines[0];
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.put(name, lines[i].substring(colon + 1).trim());
            allHeaders.computeIfAbsent(name, n -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
        }
        bodyStart = end + 4;
        body = "chunked".equalsIgnoreCase(header("Transfer-Encoding")) ? new Chunked(decoded) : new Identity(decoded);
    }

    /** Turns the bytes after the head into the body. */
    private interface BodyDecoder {
        void feed(byte[] b, int off, int len);
    }

    private record Identity(Bytes out) implements BodyDecoder {
        @Override
        public void feed(byte[] b, int off, int len) {
            out.write(b, off, len);
        }
    }

    /** HTTP/1.1 chunked framing, decoded as it arrives. */
    private static final class Chunked implements BodyDecoder {
        private final Bytes out;
        private final StringBuilder sizeLine = new StringBuilder();
        private long remaining;
        private int crlfToSkip;
        private boolean done;

        Chunked(Bytes out) {
            this.out = out;
        }

        @Override
        public void feed(byte[] b, int off, int len) {
            int i = off;
            int end = off + len;
            while (i < end && !done) {
                if (crlfToSkip > 0) {
                    crlfToSkip--;
                    i++;
                } else if (remaining > 0) {
                    int n = (int) Math.min(remaining, end - i);
                    out.write(b, i, n);
                    remaining -= n;
                    i += n;
                    if (remaining == 0) {
                        crlfToSkip = 2;
                    }
                } else {
                    char c = (char) (b[i++] & 0xff);
                    if (c == '\n') {
                        String line = sizeLine.toString().trim();
                        sizeLine.setLength(0);
                        int semicolon = line.indexOf(';');
                        remaining = Long.parseLong(semicolon < 0 ? line : line.substring(0, semicolon).trim(), 16);
                        done = remaining == 0;
                    } else if (c != '\r') {
                        sizeLine.append(c);
                    }
                }
            }
        }
    }

    /** A byte buffer whose contents can be searched without copying. */
    private static final class Bytes extends ByteArrayOutputStream {
        byte[] toByteArrayView() {
            return buf;
        }
    }
}
