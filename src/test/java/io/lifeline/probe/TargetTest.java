package io.lifeline.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The requests the probe writes, and the hub it finds behind a URL. */
class TargetTest {

    @Test
    void aStreamRequestCarriesEachFieldOnceAUsersLineReplacingTheDefault() {
        Target target = new Target(URI.create("http://127.0.0.1:8080/events?x=1"),
                List.of("Host: events.example.com", "Accept: text/event-stream;q=1", "Cookie: a=b"), false);

        String head = target.streamRequest(URI.create("http://127.0.0.1:8080/events?x=1"), List.of("X-Extra: 1"));

        assertEquals("GET /events?x=1 HTTP/1.1\r\nCache-Control: no-cache\r\nUser-Agent: lifeline-probe\r\n"
                + "Host: events.example.com\r\nAccept: text/event-stream;q=1\r\nCookie: a=b\r\nX-Extra: 1\r\n\r\n",
                head);
        assertEquals("events.example.com", target.host());
    }

    @Test
    void theHostHeaderNamesThePortOnlyWhereTheUrlDoes() {
        assertEquals("example.com", new Target(URI.create("https://example.com/s"), List.of(), false).host());
        assertEquals("[::1]:8443", new Target(URI.create("https://[::1]:8443/s"), List.of(), false).host());
    }

    @Test
    void aParameterIsAddedEncodedToAQueryOrMadeTheQuery() {
        assertEquals("http://h/.well-known/mercure?topic=urn%3Ax%3Ay",
                Target.withParameter(URI.create("http://h/.well-known/mercure"), "topic", "urn:x:y").toString());
        assertEquals("http://h/.well-known/mercure?match=a&match=b+c", Target.withParameter(
                URI.create("http://h/.well-known/mercure?match=a"), "match", "b c").toString());
        assertEquals("match", MercureHub.topicParameter(URI.create("http://h/.well-known/mercure?match=a")));
        assertEquals("topic", MercureHub.topicParameter(URI.create("http://h/.well-known/mercure?topic=a&x=b")));
        assertNull(MercureHub.topicParameter(URI.create("http://h/.well-known/mercure?matches=a")));
    }

    @Test
    void aMercure10AccessTokenIsToldByItsTypHeader() {
        assertTrue(MercureHub.isAccessToken("eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJIUzI1NiJ9.e30.x"), "typ at+jwt");
        assertFalse(MercureHub.isAccessToken("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.x"), "typ JWT");
        assertFalse(MercureHub.isAccessToken("not-a-jwt"));
        assertFalse(MercureHub.isAccessToken(null));
    }

    @Test
    void aHubIsTheWellKnownPathOrALinkWithRelMercureOnTheSameOrigin() {
        URI page = URI.create("https://example.com/books/1");
        assertEquals(URI.create("https://example.com/.well-known/mercure"),
                MercureHub.discover(URI.create("https://example.com/.well-known/mercure?topic=x"), null));
        assertEquals(URI.create("https://example.com/.well-known/mercure"), MercureHub.discover(page,
                head("</.well-known/mercure>; rel=\"mercure\"")));
        assertEquals(URI.create("https://example.com/hub"), MercureHub.discover(page,
                head("<https://example.com/books/1.json>; rel=\"alternate\", </hub>; rel=mercure")));
        assertNull(MercureHub.discover(page, head("<https://elsewhere.example/.well-known/mercure>; rel=\"mercure\"")),
                "a hub on another origin is not the server probed");
        assertNull(MercureHub.discover(page, head("<a b|c>; rel=\"mercure\"")), "no URI, no hub");
        assertNull(MercureHub.discover(page, head("</x>; rel=\"self\"")));
    }

    private static ResponseHead head(String link) {
        ResponseHead head = ResponseHead.parse("HTTP/1.1 200 OK\r\nLink: " + link);
        assertTrue(head.fields().containsKey("link"), Map.copyOf(head.fields()).toString());
        return head;
    }
}
