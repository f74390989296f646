package io.lifeline.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The probe's HTTP/1.1 connection against a raw server that answers exactly as each test writes. */
class ConnectionTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aChunkedBodyIsDecodedAcrossChunksAndItsLastChunkEndsTheResponse() throws Exception {
        String answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n"
                + "3;ext=1\r\n:\n\n\r\nA\r\ndata: abc\n\r\n0\r\n\r\n";
        try (Answering server = new Answering(answer, false); Connection connection = server.connect()) {
            ResponseHead head = connection.readHead(System.nanoTime() + SECOND);

            assertEquals(200, head.status());
            assertEquals("text/event-stream", head.mediaType());
            assertEquals("chunked", connection.framing());
            assertEquals(":\n\ndata: abc\n", body(connection));
            assertEquals(Connection.End.RESPONSE_ENDED, connection.end());
        }
    }

    @Test
    void trailersAfterTheLastChunkAreReadSoThatTheNextResponseOnTheConnectionParses() throws Exception {
        String answers = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Trailer: 1\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
        try (Answering server = new Answering(answers, false); Connection connection = server.connect()) {
            connection.readHead(System.nanoTime() + SECOND);
            assertEquals("ok", body(connection));
            assertEquals(Connection.End.RESPONSE_ENDED, connection.end());

            connection.nextResponse();
            assertEquals(204, connection.readHead(System.nanoTime() + SECOND).status());
        }
    }

    @Test
    void aChunkSizeThatIsNotPlainHexadecimalIsAnError() throws Exception {
        try (Answering server = new Answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\nok\r\n",
                false); Connection connection = server.connect()) {
            connection.readHead(System.nanoTime() + SECOND);
            IOException e = assertThrows(IOException.class, () -> body(connection));
            assertEquals("a chunk size is not hexadecimal: -2", e.getMessage());
        }
    }

    @Test
    void aBodyUntilCloseEndsWithTheServersFin() throws Exception {
        try (Answering server = new Answering("HTTP/1.1 200 OK\r\n\r\n:\n\n", true);
             Connection connection = server.connect()) {
            connection.readHead(System.nanoTime() + SECOND);

            assertEquals(":\n\n", body(connection));
            assertEquals(Connection.End.CLOSED, connection.end());
        }
    }

    @Test
    void interimAnswersAreSkippedAndNothingByTheDeadlineIsNoHead() throws Exception {
        try (Answering server = new Answering("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n"
                + "Content-Length: 0\r\n\r\n", false); Connection connection = server.connect()) {
            assertEquals(204, connection.readHead(System.nanoTime() + SECOND).status());
            assertEquals(Connection.End.RESPONSE_ENDED, connection.end());
        }
        try (Answering silent = new Answering("", false); Connection connection = silent.connect()) {
            assertNull(connection.readHead(System.nanoTime() + SECOND / 10));
        }
    }

    @Test
    void anAnswerThatIsNotHttpIsAnError() throws Exception {
        try (Answering server = new Answering("SSH-2.0-OpenSSH_9.2\r\n\r\n", false);
             Connection connection = server.connect()) {
            IOException e = assertThrows(IOException.class, () -> connection.readHead(System.nanoTime() + SECOND));
            assertEquals("the answer is not HTTP/1.1: SSH-2.0-OpenSSH_9.2", e.getMessage());
        }
    }

    private static String body(Connection connection) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] chunk = new byte[3];
        int n;
        while ((n = connection.readBody(chunk, System.nanoTime() + SECOND)) > 0) {
            body.write(chunk, 0, n);
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    /** Accepts one connection, reads its request head, writes the answer, then closes or holds. */
    private static final class Answering implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket();
        private final Thread thread;

        Answering(String answer, boolean closeAfter) throws IOException {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(() -> {
                try (Socket socket = listener.accept()) {
                    InputStream in = socket.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            return;
                        }
                        head.append((char) b);
                    }
                    socket.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                    if (!closeAfter) {
                        in.read();
                    }
                } catch (IOException ignored) {
                    // the test is over
                }
            }, "answering");
            thread.setDaemon(true);
            thread.start();
        }

        Connection connect() throws IOException {
            URI url = URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/");
            Target target = new Target(url, List.of(), false);
            Connection connection = target.open(0);
            connection.send(target.streamRequest(url, List.of()), null);
            return connection;
        }

        @Override
        public void close() throws Exception {
            listener.close();
            thread.join(5000);
        }
    }
}
