package io.lifeline.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * One segment of a URI path, percent-decoded once (RFC 3986, 2.1): {@code %XX} becomes its octet, every other
 * character stands for itself, {@code +} included (form decoding, which turns it into a space, is for query strings
 * only), and the octets are read as UTF-8.
 */
public final class PathSegment {

    private PathSegment() {
    }

    /** @throws ProtocolException 400 for a malformed escape or octets that are not UTF-8 */
    public static String decode(String segment) throws ProtocolException {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream octets = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                octets.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int high = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
            int low = high < 0 ? -1 : Character.digit(segment.charAt(i + 2), 16);
            if (low < 0) {
                throw ProtocolException.badRequest("malformed percent-escape in " + segment);
            }
            octets.write(high << 4 | low);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(octets.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ProtocolException.badRequest("percent-escapes in " + segment + " are not UTF-8");
        }
    }
}
