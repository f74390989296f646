package io.lifeline.protocol;

/**
 * Mercure 1.0's rule on identifiers (topics, matcher values, update ids and types; section "Terminology"): no C0
 * (U+0000-U+001F) or C1 (U+0080-U+009F) control character, no U+007F and no Unicode format character (general
 * category Cf: zero-width and bidirectional controls, which are invisible and let one identifier pass for another).
 */
public final class Characters {

    private Characters() {
    }

    /**
     * What breaks the rule, as the end of a sentence ({@code holds the control character U+0007}), or null when
     * nothing does.
     */
    public static String forbiddenIn(String value) {
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            if (c <= 0x1F || c >= 0x7F && c <= 0x9F) {
                return String.format("holds the control character U+%04X", c);
            }
            if (Character.getType(c) == Character.FORMAT) {
                return String.format("holds the format character U+%04X", c);
            }
            i += Character.charCount(c);
        }
        return null;
    }
}
