package io.lifeline.http;

import io.lifeline.protocol.PercentDecoding;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;

/**
 * Header values as text, in UTF-8 on the wire.
 *
 * <p>HTTP carries a header value as bytes and gives those above ASCII no meaning of their own (RFC 9110, 5.5:
 * {@code obs-text}). Servlet containers hand them to the application one char per byte, as ISO-8859-1, and write
 * chars back the same way, while browsers send a {@code Last-Event-ID} UTF-8 encoded (WHATWG HTML, server-sent
 * events: the request's {@code Last-Event-ID} is the last event ID string, UTF-8 encoded). So a value is read as the
 * UTF-8 its bytes spell; bytes that are not valid UTF-8 are kept as ISO-8859-1, which is what older clients that send
 * Latin-1 meant. A value is written as its UTF-8 bytes.</p>
 */
final class HeaderText {

    private HeaderText() {
    }

    /** The header's value decoded from UTF-8 (ISO-8859-1 where it is not valid UTF-8), or null when absent. */
    static String read(HttpServletRequest request, String name) {
        String raw = request.getHeader(name);
        return raw == null ? null : decode(raw);
    }

    /** Sets the header to the UTF-8 bytes of {@code value}. */
    static void set(HttpServletResponse response, String name, String value) {
        response.setHeader(name, encode(value));
    }

    /** The text a container's one-char-per-byte header value spells in UTF-8, else the value as it came. */
    static String decode(String raw) {
        boolean ascii = true;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c > 0xFF) {
                return raw; // the container already decoded more than ISO-8859-1
            }
            ascii &= c < 0x80;
        }
        if (ascii) {
            return raw;
        }
        return PercentDecoding.utf8(raw.getBytes(StandardCharsets.ISO_8859_1)).orElse(raw);
    }

    /** The value a container, writing one byte per char, puts on the wire as the UTF-8 of {@code text}. */
    static String encode(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return text;
    }
}
