package io.lifeline.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One request written byte for byte on a socket of its own, with {@code Connection: close}, and the whole answer
 * read until the server closes: for requests an HTTP client library refuses to send (a {@code TRACE} carrying
 * credentials, say), as an attacker would send them.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /**
     * @param head the request line and header lines, without the final empty line; {@code Host} and
     *             {@code Connection: close} are added
     */
    public static Http.Response exchange(String host, int port, boolean tls, String head) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5000);
        if (tls) {
            socket = Tls.trustingClient().getSocketFactory().createSocket(socket, host, port, true);
        }
        try (Socket s = socket) {
            s.setSoTimeout(10_000);
            String request = head + "\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String[] lines = (end < 0 ? text : text.substring(0, end)).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            String body = end < 0 ? "" : text.substring(end + 4);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = dechunk(body);
            }
            return new Http.Response(Integer.parseInt(lines[0].split(" ")[1]),
                    new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8), headers);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", at);
            if (lineEnd < 0) {
                break;
            }
            String size = chunked.substring(at, lineEnd);
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                break;
            }
            body.append(chunked, lineEnd + 2, Math.min(chunked.length(), lineEnd + 2 + n));
            at = lineEnd + 2 + n + 2;
        }
        return body.toString();
    }
}
