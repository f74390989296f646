package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Mercure 1.0, section "Publication": which topics address the hub's reserved namespace, resolved as the text says. */
class HubNamespaceTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "/.well-known/mercure",
        "/.well-known/mercure/",
        "/.well-known/mercure/subscriptions/exact/a/b",
        "https://hub.example.com/.well-known/mercure/subscriptions",
        "http://other.example:8080/.well-known/mercure?x=1",
        "wss://h/.well-known/mercure#f",
        "HTTPS://H/.well-known/mercure/x",
        "/.well-known/%6Dercure/subscriptions",
        "/.well-known/%6dercure",
        "/%2Ewell-known/mercure",
        "/.well-known/mercure/../mercure/x",
        "/.well-known/x/../mercure",
        "/.well-known/.%2E/.well-known/mercure",
        "/../../.well-known/mercure",
        "/./.well-known/./mercure",
        "mercure",
        "mercure/subscriptions/x",
        "./mercure/x",
        "../.well-known/mercure",
        "?query-only",
        "#fragment-only",
        "//other.example/.well-known/mercure",
        "\\\\other.example\\.well-known\\mercure",
        "https:\\\\h\\.well-known\\mercure\\x",
        "https:h/.well-known/mercure",
        "https:///h/.well-known/mercure",
        "foo://authority/.well-known/mercure/x",
        "foo:/.well-known/mercure",
        " /.well-known/mercure ",
    })
    void addresses(String topic) {
        assertTrue(HubNamespace.addresses(topic), topic);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "https://example.com/books/1",
        "https://example.com/.well-known/mercure-docs",
        "https://example.com/.well-known/MERCURE/x",
        "https://example.com/docs?ref=/.well-known/mercure",
        "https://example.com/docs#/.well-known/mercure",
        "/.well-known%2Fmercure/x",
        "/.well-known/mercure%2Fx",
        "urn:example:/.well-known/mercure",
        "mailto:a@example.com",
        "books/1",
        "/well-known/mercure",
        "foo://authority",
    })
    void doesNotAddress(String topic) {
        assertFalse(HubNamespace.addresses(topic), topic);
    }

    @ParameterizedTest
    @CsvSource({
        "/a/b/../c, /a/c",
        "/a/./b/., /a/b/",
        "/a/%7Eb/%41, /a/~b/A",
        "/a/%2F/b, /a/%2F/b",
        "/a/%zz, /a/%zz",
    })
    void normalizationDecodesUnreservedEscapesAndRemovesDotSegments(String path, String expected) {
        assertEquals(expected, HubNamespace.normalize(path));
    }
}
