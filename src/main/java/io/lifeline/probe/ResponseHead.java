package io.lifeline.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A response's status line and header fields (RFC 9112, section 4 and 5), names lowered.
 *
 * @param version the protocol in the status line, e.g. {@code HTTP/1.1}
 * @param status  the status code
 * @param reason  the reason phrase, possibly empty
 * @param fields  each field's values in arrival order, under its lowered name
 */
record ResponseHead(String version, int status, String reason, Map<String, List<String>> fields) {

    /** Parses a head without its final empty line; null where the status line is not HTTP's. */
    static ResponseHead parse(String text) {
        String[] lines = text.split("\r?\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/") || !status[1].matches("\\d{3}")) {
            return null;
        }
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                fields.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        return new ResponseHead(status[0], Integer.parseInt(status[1]), status.length > 2 ? status[2] : "", fields);
    }

    /** The field's values joined by {@code ", "}, or null where it is absent. */
    String field(String name) {
        List<String> values = fields.get(name.toLowerCase(Locale.ROOT));
        return values == null ? null : String.join(", ", values);
    }

    /** Whether the field lists this token, compared without case (e.g. {@code chunked}, {@code no-cache}). */
    boolean lists(String name, String token) {
        String value = field(name);
        if (value == null) {
            return false;
        }
        for (String part : value.split(",")) {
            String item = part.trim();
            int eq = item.indexOf('=');
            if ((eq < 0 ? item : item.substring(0, eq)).trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** The media type of {@code Content-Type} without parameters, lowered, or null. */
    String mediaType() {
        String value = field("content-type");
        if (value == null) {
            return null;
        }
        int semicolon = value.indexOf(';');
        return (semicolon < 0 ? value : value.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
