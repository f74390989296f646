package io.lifeline.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection that POSTs updates and waits for each answer: to a Mercure hub (a form with
 * {@code topic} and {@code data}, a bearer token) or to nchan's publisher location (the body is the message). Each
 * update's data starts with {@code T<System.nanoTime()>}, which the {@link LoadClient} reads as the publish time.
 */
final class Publisher implements AutoCloseable {

    /** How an update is written for one kind of server. */
    interface Dialect {
        String request(String host, String topic, String data);
    }

    static Dialect mercure(String token) {
        return (host, topic, data) -> {
            String body = "topic=" + topic + "&data=" + data;
            return "POST /.well-known/mercure HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body;
        };
    }

    static Dialect nchan() {
        return (host, topic, data) -> "POST /pub/" + topic + " HTTP/1.1\r\nHost: " + host
                + "\r\nContent-Type: text/plain\r\nContent-Length: " + data.length() + "\r\n\r\n" + data;
    }

    private final InetSocketAddress server;
    private final Dialect dialect;
    private final String host;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Publisher(InetSocketAddress server, Dialect dialect) throws IOException {
        this.server = server;
        this.dialect = dialect;
        this.host = server.getHostString();
        connect();
    }

    /** Opens the connection, again when the server closed it after an answer (nginx does every 1,000 requests). */
    private void connect() throws IOException {
        if (socket != null) {
            socket.close();
        }
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(server, 5000);
        socket.setSoTimeout(30_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Publishes one update of about {@code payload} bytes to {@code topic}; returns the answer's status. */
    int publish(String topic, int payload) throws IOException {
        StringBuilder data = new StringBuilder("T").append(System.nanoTime()).append('+');
        while (data.length() < payload) {
            data.append('x');
        }
        out.write(dialect.request(host, topic, data.toString()).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return readAnswer();
    }

    private int readAnswer() throws IOException {
        String status = line();
        int code = Integer.parseInt(status.split(" ")[1]);
        long length = 0;
        boolean chunked = false;
        boolean close = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            String lower = header.toLowerCase();
            close |= lower.startsWith("connection:") && lower.contains("close");
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                in.skipNBytes(size);
                line();
            }
            line();
        } else {
            in.skipNBytes(length);
        }
        if (close) {
            connect();
        }
        return code;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the server closed the publishing connection");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
