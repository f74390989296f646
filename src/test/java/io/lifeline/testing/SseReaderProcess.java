package io.lifeline.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal EventSource in a process of its own, so that a test can freeze it (SIGSTOP), or run it in a network
 * namespace and take its network away. JDK classes only.
 *
 * <p>{@code java -cp target/test-classes io.lifeline.testing.SseReaderProcess HOST PORT PATH [--reconnect]}: sends
 * {@code GET PATH} over HTTP/1.1 and prints one line per thing it reads, flushed at once:
 * {@code HEAD <status>}, {@code COMMENT}, {@code CURSOR <id>} (an id-only block), {@code EVENT <id> <data>},
 * {@code RETRY <ms>}, {@code EOF}. With {@code --reconnect} it does what EventSource does when a stream ends: waits
 * the last {@code retry} it was told and reconnects with its last event id ({@code RECONNECT <id>}).</p>
 */
public final class SseReaderProcess {

    private final String host;
    private final int port;
    private final String path;
    private String lastEventId = "";
    private long retryMillis = 1000;

    private SseReaderProcess(String host, int port, String path) {
        this.host = host;
        this.port = port;
        this.path = path;
    }

    public static void main(String[] args) throws Exception {
        SseReaderProcess reader = new SseReaderProcess(args[0], Integer.parseInt(args[1]), args[2]);
        boolean reconnect = args.length > 3 && args[3].equals("--reconnect");
        do {
            reader.readOnce();
            if (reconnect) {
                Thread.sleep(reader.retryMillis);
                print("RECONNECT " + reader.lastEventId);
            }
        } while (reconnect);
    }

    /** The command that runs it with this JVM, from the test classes. */
    public static List<String> command(String host, int port, String path, boolean reconnect) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx32m", "-cp", testClasses(), SseReaderProcess.class.getName(), host,
                Integer.toString(port), path));
        if (reconnect) {
            command.add("--reconnect");
        }
        return command;
    }

    private static String testClasses() {
        try {
            return Path.of(SseReaderProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private void readOnce() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 5000);
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nAccept: text/event-stream\r\n");
            if (!lastEventId.isEmpty()) {
                request.append("Last-Event-ID: ").append(lastEventId).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = line(in);
            if (status == null) {
                print("EOF");
                return;
            }
            print("HEAD " + status.split(" ")[1]);
            boolean chunked = false;
            String header;
            while ((header = line(in)) != null && !header.isEmpty()) {
                chunked |= header.toLowerCase().startsWith("transfer-encoding:") && header.contains("chunked");
            }
            readEvents(chunked ? new Dechunked(in) : in);
        } catch (IOException e) {
            print("ERROR " + e.getMessage());
        }
        print("EOF");
    }

    private void readEvents(InputStream in) throws IOException {
        String id = null;
        StringBuilder data = null;
        String line;
        while ((line = line(in)) != null) {
            if (line.isEmpty()) {
                if (id != null) {
                    lastEventId = id;
                }
                if (data != null) {
                    print("EVENT " + lastEventId + " " + data);
                } else if (id != null) {
                    print("CURSOR " + id);
                }
                id = null;
                data = null;
            } else if (line.startsWith(":")) {
                print("COMMENT");
            } else {
                int colon = line.indexOf(':');
                String name = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                switch (name) {
                    case "id" -> id = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    case "retry" -> {
                        retryMillis = Long.parseLong(value);
                        print("RETRY " + value);
                    }
                    default -> { }
                }
            }
        }
    }

    /** One line, LF-terminated (CR dropped), or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return bytes.toString(StandardCharsets.UTF_8).replaceFirst("\r$", "");
            }
            bytes.write(b);
        }
        return null;
    }

    private static void print(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** HTTP/1.1 chunked framing removed. */
    private static final class Dechunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        Dechunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line(in);
                if (size != null && size.isEmpty()) {
                    size = line(in); // the CRLF that ended the previous chunk
                }
                if (size == null) {
                    done = true;
                    return -1;
                }
                int semicolon = size.indexOf(';');
                left = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int b = in.read();
            if (b < 0) {
                done = true;
                return -1;
            }
            left--;
            return b;
        }
    }
}
