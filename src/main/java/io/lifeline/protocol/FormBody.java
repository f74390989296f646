package io.lifeline.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code application/x-www-form-urlencoded} body, decoded as UTF-8 by Lifeline itself.
 *
 * <p>Containers parse forms with their own size limits and charset guesses; a body they give up on looks like a
 * form without fields, which would turn into a misleading "missing topic". Parsing the bytes here makes every
 * failure say what it is. Malformed percent-escapes and invalid UTF-8 are refused, never replaced.</p>
 */
public final class FormBody {

    private final Map<String, List<String>> fields;

    private FormBody(Map<String, List<String>> fields) {
        this.fields = fields;
    }

    public static FormBody parse(byte[] body) throws ProtocolException {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '&') {
                if (i > start) {
                    int eq = indexOf(body, (byte) '=', start, i);
                    String name = PercentDecoding.formField(body, start, eq < 0 ? i : eq);
                    String value = eq < 0 ? "" : PercentDecoding.formField(body, eq + 1, i);
                    fields.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
                }
                start = i + 1;
            }
        }
        return new FormBody(fields);
    }

    /** Every value of this field, in order; empty when absent. */
    public List<String> all(String name) {
        return fields.getOrDefault(name, List.of());
    }

    /** The first value of this field, or null when absent. */
    public String first(String name) {
        List<String> values = fields.get(name);
        return values == null ? null : values.get(0);
    }

    public boolean has(String name) {
        return fields.containsKey(name);
    }

    private static int indexOf(byte[] b, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
