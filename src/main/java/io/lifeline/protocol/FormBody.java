package io.lifeline.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        return parse(body, "the form body");
    }

    /**
     * Parses a query component the same way (WHATWG URL, {@code application/x-www-form-urlencoded} parsing), strictly.
     *
     * @param query the raw query, as sent (percent-encoded)
     * @throws ProtocolException 400 naming the query for a malformed percent-escape or octets that are not UTF-8
     */
    public static FormBody parseQuery(String query) throws ProtocolException {
        return query == null ? new FormBody(Map.of()) : parse(query.getBytes(StandardCharsets.UTF_8), "the query");
    }

    private static FormBody parse(byte[] body, String what) throws ProtocolException {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '&') {
                if (i > start) {
                    int eq = indexOf(body, (byte) '=', start, i);
                    String name = PercentDecoding.formField(body, start, eq < 0 ? i : eq, what);
                    String value = eq < 0 ? "" : PercentDecoding.formField(body, eq + 1, i, what);
                    fields.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
                }
                start = i + 1;
            }
        }
        return new FormBody(fields);
    }

    /**
     * Both forms as one, as if all their pairs had appeared in one component: this one's pairs first, so that
     * {@link #first} prefers this one's value (Mercure 1.0, section "Subscription": a body's parameters and the
     * query's are taken together, the query's {@code last_event_id} winning).
     */
    public FormBody union(FormBody other) {
        Map<String, List<String>> union = new LinkedHashMap<>();
        for (Map<String, List<String>> form : List.of(fields, other.fields)) {
            form.forEach((name, values) -> union.computeIfAbsent(name, k -> new ArrayList<>(values.size()))
                    .addAll(values));
        }
        return new FormBody(union);
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

    /** The names of its fields, in the order they first appear. */
    public Set<String> names() {
        return Collections.unmodifiableSet(fields.keySet());
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
