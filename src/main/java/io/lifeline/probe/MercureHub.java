package io.lifeline.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Mercure hub behind the probed URL: where it publishes (a {@code POST} of a form, Mercure section "Publication")
 * and where it lists who is subscribed (the subscriptions API, {@code /.well-known/mercure/subscriptions/{topic}},
 * Mercure section "Active Subscriptions"). Through the list the probe sees the hub's own view of a departure that
 * the client's socket cannot show: an RST, a close, a stalled reader the hub gave up on.
 *
 * <p>Requests go over one keep-alive connection at a time, with the publish and subscribe tokens as bearer tokens
 * (RFC 6750). Not thread-safe: each check uses a hub of its own ({@link #copy()}).</p>
 */
final class MercureHub implements AutoCloseable {

    /** The path a Mercure hub answers on (Mercure section "Discovery"). */
    static final String WELL_KNOWN = "/.well-known/mercure";

    private static final Pattern LINK = Pattern.compile("<([^>]*)>\\s*;[^,]*?rel\\s*=\\s*\"?mercure\"?",
            Pattern.CASE_INSENSITIVE);
    /** How often {@link #awaitListed} asks, in milliseconds. */
    static final long POLL_MILLIS = 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 4 * 1024 * 1024;

    private final Target target;
    private final URI url;
    private final String publishToken;
    private final String subscribeToken;
    private final boolean accessToken;
    private Connection connection;

    MercureHub(Target target, URI url, String publishToken, String subscribeToken) {
        this.target = target;
        this.url = url;
        this.publishToken = publishToken;
        this.subscribeToken = subscribeToken;
        this.accessToken = isAccessToken(subscribeToken);
    }

    /**
     * The hub behind a URL: the URL itself when its path is {@value #WELL_KNOWN}, else the first {@code Link} with
     * {@code rel="mercure"} in the response head (Mercure section "Discovery"), resolved against the URL, on the
     * same host; null where there is none.
     */
    static URI discover(URI url, ResponseHead head) {
        if (url.getRawPath() != null && url.getRawPath().endsWith(WELL_KNOWN)) {
            return URI.create(url.getScheme() + "://" + url.getRawAuthority() + url.getRawPath());
        }
        String links = head == null ? null : head.field("link");
        if (links == null) {
            return null;
        }
        Matcher m = LINK.matcher(links);
        if (!m.find()) {
            return null;
        }
        URI hub;
        try {
            hub = url.resolve(m.group(1).trim());
        } catch (IllegalArgumentException e) {
            return null; // a Link whose target is no URI names no hub
        }
        return hub.getHost() != null && hub.getHost().equalsIgnoreCase(url.getHost()) && hub.getPort() == url.getPort()
                && hub.getScheme().equalsIgnoreCase(url.getScheme()) ? hub : null;
    }

    /**
     * The query parameter that names a subscription's topics in this URL, if it names any: {@code match} (Mercure
     * 1.0) or {@code topic} (draft-07); null where it names neither. A hub refuses a subscription that mixes the two.
     */
    static String topicParameter(URI url) {
        String query = url.getRawQuery();
        if (query == null) {
            return null;
        }
        String named = null;
        for (String pair : query.split("&")) {
            String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            if (name.equals("match")) {
                return "match";
            }
            if (name.equals("topic")) {
                named = "topic";
            }
        }
        return named;
    }

    /**
     * The query parameter the probe's own subscriptions use on this hub: {@code match} where the subscribe token is
     * a Mercure 1.0 access token ({@code typ: at+jwt}, RFC 9068, section 2.1), whose subscriptions API lists only
     * 1.0 subscriptions, else draft-07's {@code topic}.
     */
    String topicParameter() {
        return accessToken ? "match" : "topic";
    }

    /** Whether a JWT's header says it is an access token ({@code typ} {@code at+jwt}, RFC 9068, section 2.1). */
    static boolean isAccessToken(String jwt) {
        if (jwt == null || jwt.indexOf('.') < 0) {
            return false;
        }
        try {
            String typ = JSON.readTree(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))))
                    .path("typ").asText("");
            return typ.equalsIgnoreCase("at+jwt") || typ.equalsIgnoreCase("application/at+jwt");
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    URI url() {
        return url;
    }

    /** A hub on its own connection, for another check. */
    MercureHub copy() {
        return new MercureHub(target, url, publishToken, subscribeToken);
    }

    boolean canPublish() {
        return publishToken != null;
    }

    boolean canList() {
        return subscribeToken != null;
    }

    /**
     * The header lines a stream request to this hub carries: the user's own, or else the subscribe token as a bearer
     * token.
     */
    List<String> streamHeaders() {
        return subscribeToken == null || target.hasHeader("Authorization") ? List.of()
                : List.of("Authorization: Bearer " + subscribeToken);
    }

    /**
     * Publishes one update.
     *
     * @return the update's id as the hub answered it
     * @throws HubRefusal the hub answered with an error status; its body tells why
     */
    String publish(String topic, String data) throws IOException {
        String form = "topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8)
                + "&data=" + URLEncoder.encode(data, StandardCharsets.UTF_8);
        byte[] body = form.getBytes(StandardCharsets.US_ASCII);
        Answer answer = exchange("POST", Target.pathAndQuery(url), publishToken,
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length + "\r\n", body);
        if (answer.status() / 100 != 2) {
            throw new HubRefusal(answer.status(), "publishing to " + url + " got " + answer.status() + ": "
                    + answer.text());
        }
        return answer.text().strip();
    }

    /**
     * How many subscriptions the hub lists for a topic, from draft-07's {@code GET
     * /.well-known/mercure/subscriptions/{topic}}, or with a Mercure 1.0 access token from 1.0's {@code
     * .../subscriptions/exact/{match}}.
     *
     * @throws HubRefusal the hub refused the list (no subscriptions API, or the token may not read it)
     */
    int listed(String topic) throws IOException {
        String path = url.getRawPath() + (accessToken ? "/subscriptions/exact/" : "/subscriptions/")
                + URLEncoder.encode(topic, StandardCharsets.UTF_8).replace("+", "%20");
        Answer answer = exchange("GET", path, subscribeToken, "Accept: application/ld+json, application/json\r\n",
                null);
        if (answer.status() != 200) {
            throw new HubRefusal(answer.status(), "the subscriptions API answered " + answer.status() + ": "
                    + answer.text());
        }
        JsonNode subscriptions = JSON.readTree(answer.body()).path("subscriptions");
        int n = 0;
        for (JsonNode subscription : subscriptions) {
            if (topic.equals(subscription.path(topicParameter()).asText(null))) {
                n++;
            }
        }
        return n;
    }

    /**
     * Polls the subscriptions API until the topic's subscriptions reach {@code count} or the deadline passes.
     *
     * @return when the count was seen ({@link System#nanoTime()}), or -1 at the deadline
     */
    long awaitListed(String topic, int count, long deadline) throws IOException {
        while (true) {
            int n = listed(topic);
            long now = System.nanoTime();
            if (n == count) {
                return now;
            }
            if (now >= deadline) {
                return -1;
            }
            try {
                Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, (deadline - now) / 1_000_000L)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    private Answer exchange(String method, String pathAndQuery, String token, String fields, byte[] body)
            throws IOException {
        for (int attempt = 0; ; attempt++) {
            if (connection == null) {
                connection = target.open(0);
            }
            String head = method + " " + pathAndQuery + " HTTP/1.1\r\nHost: " + target.host()
                    + "\r\nUser-Agent: lifeline-probe\r\nAuthorization: Bearer " + token + "\r\n" + fields + "\r\n";
            try {
                connection.send(head, body);
                long deadline = System.nanoTime() + Target.CONNECT_TIMEOUT.toNanos();
                ResponseHead response = connection.readHead(deadline);
                if (response == null) {
                    throw new IOException(method + " " + url + " got no answer within "
                            + Target.CONNECT_TIMEOUT.toSeconds() + " s");
                }
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                byte[] chunk = new byte[8192];
                int n;
                while ((n = connection.readBody(chunk, deadline)) != -1) {
                    if (n == 0) {
                        throw new IOException(method + " " + url + ": the answer did not end within "
                                + Target.CONNECT_TIMEOUT.toSeconds() + " s");
                    }
                    if (content.size() + n > MAX_BODY) {
                        throw new IOException(method + " " + url + ": an answer longer than " + MAX_BODY + " bytes");
                    }
                    content.write(chunk, 0, n);
                }
                if (connection.end() == Connection.End.RESPONSE_ENDED && !response.lists("connection", "close")) {
                    connection.nextResponse();
                } else {
                    connection.close();
                    connection = null;
                }
                return new Answer(response.status(), content.toByteArray());
            } catch (IOException e) {
                close();
                if (attempt > 0 || e instanceof HubRefusal) {
                    throw e;
                }
                // a kept-alive connection the hub had closed meanwhile: once more on a new one
            }
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private record Answer(int status, byte[] body) {
        String text() {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            return text.length() > 200 ? text.substring(0, 200) + "..." : text.isEmpty() ? "(no body)" : text;
        }
    }

    /** The hub answered with an error status. */
    static final class HubRefusal extends IOException {
        private final int status;

        HubRefusal(int status, String message) {
            super(message);
            this.status = status;
        }

        /** Whether the status says the request is too large, so that a smaller one may pass. */
        boolean tooLarge() {
            return status == 413;
        }
    }
}
