package io.lifeline.auth.draft08;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeline.auth.Claims;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.topic.Matcher;
import io.lifeline.topic.TemplateTopicMatcher;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Mercure 1.0, sections "Authorization Details", "Topic Matcher List" and "Payloads". */
class AuthorizationDetailsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "\"type\": \"https://mercure.rocks/authorization-detail\"";

    private static Claims read(String details) throws Exception {
        JsonNode claims = JSON.readTree("{\"authorization_details\": " + details + "}");
        return AuthorizationDetails.read(claims, Instant.now());
    }

    @Test
    void aTokenGrantsAnActionOnATopicWhenADetailsActionsIncludeItAndOneOfItsTopicsMatches() throws Exception {
        Claims claims = read("[{" + TYPE + ", \"actions\": [\"publish\", \"subscribe\"], \"topics\": ["
                + "{\"match\": \"https://example.com/books/1\"}, {\"match\": \"urn:x\", \"match_type\": \"exact\"}]}]");

        List<Matcher> expected = List.of(Matcher.exact("https://example.com/books/1"), Matcher.exact("urn:x"));
        assertEquals(expected, claims.publish());
        assertEquals(expected, claims.subscribe());
    }

    @Test
    void tokensWithNoMercureAuthorizationDetailGrantNoPublishOrSubscribeRights() throws Exception {
        Claims none = AuthorizationDetails.read(JSON.readTree("{}"), Instant.now());
        Claims otherApi = read("[{\"type\": \"https://api.example/payments\", \"actions\": [\"publish\"]}]");

        assertEquals(List.of(), none.publish());
        assertEquals(List.of(), none.subscribe());
        assertEquals(List.of(), otherApi.publish());
    }

    @Test
    void hubsMustIgnoreActionValuesTheyDoNotRecognize() throws Exception {
        Claims claims = read("[{" + TYPE + ", \"actions\": [\"moderate\"], \"topics\": [{\"match\": \"*\"}]}]");

        assertEquals(List.of(), claims.publish());
        assertEquals(List.of(), claims.subscribe());
    }

    @Test
    void theTypeIsComparedByteByByte() throws Exception {
        Claims claims = read("[{\"type\": \"https://mercure.rocks/Authorization-Detail\", \"actions\": [\"publish\"],"
                + " \"topics\": [{\"match\": \"*\"}]}]");

        assertEquals(List.of(), claims.publish());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}",
        "[\"publish\"]",
        "[{\"actions\": [\"publish\"], \"topics\": [{\"match\": \"*\"}]}]",
        "[{" + TYPE + ", \"topics\": [{\"match\": \"*\"}]}]",
        "[{" + TYPE + ", \"actions\": [], \"topics\": [{\"match\": \"*\"}]}]",
        "[{" + TYPE + ", \"actions\": [\"publish\", 7], \"topics\": [{\"match\": \"*\"}]}]",
        "[{" + TYPE + ", \"actions\": [\"publish\"]}]",
        "[{" + TYPE + ", \"actions\": [\"publish\"], \"topics\": []}]",
        "[{" + TYPE + ", \"actions\": [\"publish\"], \"topics\": [\"https://example.com/a\"]}]",
        "[{" + TYPE + ", \"actions\": [\"publish\"], \"topics\": [{\"match\": 1}]}]",
        "[{" + TYPE + ", \"actions\": [\"publish\"], \"topics\": [{\"match\": \"a\\u0007b\"}]}]",
        "[{" + TYPE + ", \"actions\": [\"publish\"], \"topics\": [{\"match\": \"a\\u200Bb\"}]}]",
        "[{" + TYPE + ", \"actions\": [\"publish\"], \"topics\": [{\"match\": \"*\", \"match_type\": \"regex\"}]}]",
        "[{" + TYPE + ", \"actions\": [\"publish\"], \"topics\": [{\"match\": \"*\", \"match_type\": \"Exact\"}]}]",
        "[{" + TYPE + ", \"actions\": [\"subscribe\"], \"topics\": [{\"match\": \"*\"}], \"payload\": \"text\"}]"
    })
    void oneMalformedMercureDetailRejectsTheWholeTokenAsInvalidToken(String details) {
        String withAGoodOneFirst = details.startsWith("[") && details.length() > 2
                ? "[{" + TYPE + ", \"actions\": [\"publish\"], \"topics\": [{\"match\": \"*\"}]}, "
                        + details.substring(1)
                : details;

        ProtocolException refused = assertThrows(ProtocolException.class, () -> read(withAGoodOneFirst));

        assertEquals(401, refused.status());
        assertEquals(ProtocolException.INVALID_TOKEN, refused.bearerError());
        assertTrue(refused.reason().startsWith("the token's authorization_details"), refused.reason());
    }

    @Test
    void aMatchTypeTheHubDoesNotSupportYetRejectsTheTokenSayingSo() {
        ProtocolException refused = assertThrows(ProtocolException.class, () -> read("[{" + TYPE
                + ", \"actions\": [\"subscribe\"], \"topics\": [{\"match\": \"https://example.com/:id\", "
                + "\"match_type\": \"urlpattern\"}]}]"));

        assertTrue(refused.reason().contains("\"urlpattern\" is not supported by this hub"), refused.reason());
    }

    @Test
    void tokensExceedingTheHubsLimitsAreRejected() {
        String detail = "{" + TYPE + ", \"actions\": [\"publish\"], \"topics\": [{\"match\": \"*\"}]}";
        String tooMany = "[" + String.join(",", Collections.nCopies(AuthorizationDetails.MAX_DETAILS + 1,
                detail)) + "]";
        String longMatch = "[{" + TYPE + ", \"actions\": [\"publish\"], \"topics\": [{\"match\": \"" + "a".repeat(2049)
                + "\"}]}]";

        assertEquals(401, assertThrows(ProtocolException.class, () -> read(tooMany)).status());
        assertEquals(401, assertThrows(ProtocolException.class, () -> read(longMatch)).status());
    }

    @Test
    void thePayloadOfTheFirstSubscribeDetailWhoseTopicsMatchTheSubscriptionIsItsPayload() throws Exception {
        Claims claims = read("[{" + TYPE + ", \"actions\": [\"subscribe\"], \"topics\": [{\"match\": "
                + "\"https://example.com/foo\"}], \"payload\": {\"custom1\": 1}},"
                + "{" + TYPE + ", \"actions\": [\"publish\"], \"topics\": [{\"match\": \"*\"}], "
                + "\"payload\": {\"p\": 1}},"
                + "{" + TYPE + ", \"actions\": [\"subscribe\"], \"topics\": [{\"match\": \"urn:quiet\"}]},"
                + "{" + TYPE + ", \"actions\": [\"subscribe\"], \"topics\": [{\"match\": \"*\"}], \"payload\": "
                + "{\"custom3\": 3}}]");
        TemplateTopicMatcher matcher = new TemplateTopicMatcher(10);

        assertEquals("{\"custom1\":1}", claims.payloadFor("https://example.com/foo", matcher).toString());
        assertNull(claims.payloadFor("urn:quiet", matcher), "the first matching detail wins, payload or not");
        assertEquals("{\"custom3\":3}", claims.payloadFor("https://example.com/bar", matcher).toString());
    }
}
