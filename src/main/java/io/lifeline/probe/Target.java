package io.lifeline.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The server the probe talks to: its address, its scheme, the header lines every stream request carries, and how
 * TLS is checked. Every connection is opened here, so that each departure is played on a fresh one.
 */
final class Target {

    /** Longest a TCP connect or a TLS handshake may take. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final URI url;
    private final String host;
    private final int port;
    private final boolean tls;
    private final List<String> headers;
    private final SSLContext sslContext;
    private final boolean insecure;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();

    Target(URI url, List<String> headers, boolean insecure) {
        this.url = url;
        this.tls = url.getScheme().equalsIgnoreCase("https");
        this.host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1)
                : url.getHost();
        this.port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        this.headers = headers;
        this.insecure = insecure;
        this.sslContext = tls ? sslContext(insecure) : null;
    }

    URI url() {
        return url;
    }

    /** The header lines the user gave, as {@code Name: value}. */
    List<String> headers() {
        return headers;
    }

    boolean tls() {
        return tls;
    }

    /** The URL's authority as a {@code Host} value (RFC 9110, section 7.2): with the port where the URL names one. */
    String authority() {
        String name = host.contains(":") ? "[" + host + "]" : host;
        return url.getPort() > 0 ? name + ":" + port : name;
    }

    /** The URL's path and query as sent in a request line; {@code /} for an empty path. */
    static String pathAndQuery(URI url) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    /** This URL with one more query parameter, encoded as a form value. */
    static URI withParameter(URI url, String name, String value) {
        String pair = name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
        String query = url.getRawQuery() == null || url.getRawQuery().isEmpty() ? pair : url.getRawQuery() + "&" + pair;
        return URI.create(url.getScheme() + "://" + url.getRawAuthority()
                + (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath()) + "?" + query);
    }

    /**
     * Opens a connection, over TLS where the URL says {@code https}, offering {@code protocols} by ALPN (RFC 7301).
     *
     * @param receiveBuffer if positive, the socket's receive buffer in bytes, set before connecting so that the TCP
     *                      window stays that small
     * @throws IOException with a message a person can act on: the host unknown, the connection refused, the
     *                     certificate not trusted
     */
    Connection open(int receiveBuffer, String... protocols) throws IOException {
        Socket tcp = new Socket();
        try {
            if (receiveBuffer > 0) {
                tcp.setReceiveBufferSize(receiveBuffer);
            }
            tcp.setTcpNoDelay(true);
            tcp.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
            if (!tls) {
                return new Connection(tcp, null, open);
            }
            SSLSocket layer = (SSLSocket) sslContext.getSocketFactory().createSocket(tcp, host, port, false);
            SSLParameters parameters = layer.getSSLParameters();
            parameters.setApplicationProtocols(protocols.length == 0 ? new String[] {"http/1.1"} : protocols);
            if (!insecure) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            layer.setSSLParameters(parameters);
            tcp.setSoTimeout((int) CONNECT_TIMEOUT.toMillis());
            try {
                layer.startHandshake();
            } catch (IOException e) {
                throw new IOException("the TLS handshake with " + authority() + " failed: " + e.getMessage()
                        + handshakeHint(e), e);
            }
            tcp.setSoTimeout(0);
            return new Connection(tcp, layer, open);
        } catch (UnknownHostException e) {
            tcp.close();
            throw new IOException("unknown host " + host, e);
        } catch (IOException e) {
            tcp.close();
            if (e.getMessage() != null && e.getMessage().startsWith("the TLS handshake")) {
                throw e;
            }
            throw new IOException("cannot connect to " + authority() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Closes every connection still open at once: the end of a run, which no check outlives, even one that a write
     * to a server that stopped reading holds (a socket write does not heed a thread's interrupt).
     */
    void closeAll() {
        for (Connection connection : List.copyOf(open)) {
            connection.abort();
        }
    }

    /**
     * The head of a {@code GET} for an event stream: {@code Host}, then {@code Accept: text/event-stream} and {@code
     * Cache-Control: no-cache} as EventSource sends them (WHATWG HTML, section 9.2.2), then the user's header lines
     * and the given ones. A user's line replaces a default of the same name, {@code Host} included, so that a
     * request never carries a field twice that may appear once (RFC 9112, section 3.2).
     */
    String streamRequest(URI stream, List<String> extra) {
        List<String> lines = new ArrayList<>();
        for (String line : List.of("Host: " + authority(), "Accept: text/event-stream", "Cache-Control: no-cache",
                "User-Agent: lifeline-probe")) {
            if (!hasHeader(line.substring(0, line.indexOf(':')))) {
                lines.add(line);
            }
        }
        lines.addAll(headers);
        lines.addAll(extra);
        StringBuilder head = new StringBuilder("GET " + pathAndQuery(stream) + " HTTP/1.1\r\n");
        for (String line : lines) {
            head.append(line).append("\r\n");
        }
        return head.append("\r\n").toString();
    }

    /** The {@code Host} a request names: the user's own {@code Host} line where there is one, else the URL's. */
    String host() {
        for (String line : headers) {
            if (line.regionMatches(true, 0, "Host:", 0, 5)) {
                return line.substring(5).trim();
            }
        }
        return authority();
    }

    /** Whether the user gave a header line with this name (compared without case). */
    boolean hasHeader(String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        return headers.stream().anyMatch(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix));
    }

    /** What to try after a failed handshake: http where the server speaks no TLS, --insecure for a certificate. */
    private String handshakeHint(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Unsupported or unrecognized SSL message") || message.contains("plaintext")) {
            return " (the server speaks no TLS on this port: try http://)";
        }
        boolean certificate = e instanceof SSLHandshakeException
                && (message.contains("PKIX") || message.contains("certificate") || message.contains("subject"));
        return certificate && !insecure ? " (for a self-signed certificate, add --insecure)" : "";
    }

    private static SSLContext sslContext(boolean insecure) {
        try {
            if (!insecure) {
                return SSLContext.getDefault();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustingEveryone()}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM offers no TLS", e);
        }
    }

    /** {@code --insecure}: any certificate, as {@code curl --insecure} takes it. */
    private static final class TrustingEveryone implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
