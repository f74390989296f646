package io.lifeline.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Percent-decoding (RFC 3986, 2.1) into text that must be valid UTF-8: once, of a form body's names and values
 * ({@code application/x-www-form-urlencoded}, where {@code +} stands for a space) and of a URI path's segments
 * (where {@code +} is itself).
 */
public final class PercentDecoding {

    private PercentDecoding() {
    }

    /** One path segment of a raw URI. @throws ProtocolException 400 for a malformed escape or octets not UTF-8 */
    public static String pathSegment(String segment) throws ProtocolException {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        byte[] raw = segment.getBytes(StandardCharsets.UTF_8);
        return decode(raw, 0, raw.length, false, "the path segment " + segment);
    }

    /**
     * One name or value of a form body or query, {@code b[from, to)}.
     *
     * @param what what the field is part of, for the refusal's reason
     * @throws ProtocolException as for a path segment
     */
    static String formField(byte[] b, int from, int to, String what) throws ProtocolException {
        return decode(b, from, to, true, what);
    }

    /** The text these octets spell in UTF-8, or empty when they are not valid UTF-8. */
    public static Optional<String> utf8(byte[] octets) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(octets))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static String decode(byte[] b, int from, int to, boolean plusIsSpace, String what)
            throws ProtocolException {
        ByteArrayOutputStream octets = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '+' && plusIsSpace) {
                octets.write(' ');
            } else if (c == '%') {
                int hi = i + 2 < to ? Character.digit(b[i + 1], 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(b[i + 2], 16);
                if (lo < 0) {
                    throw ProtocolException.badRequest(what + " has a malformed percent-escape");
                }
                octets.write(hi << 4 | lo);
                i += 2;
            } else {
                octets.write(c);
            }
        }
        return utf8(octets.toByteArray()).orElseThrow(
                () -> ProtocolException.badRequest(what + " is not valid UTF-8 once decoded"));
    }
}
