package io.lifeline.protocol.draft08;

import io.lifeline.protocol.Characters;
import io.lifeline.protocol.FormBody;
import io.lifeline.protocol.Limits;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.topic.Matcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The topic matchers of a Mercure 1.0 subscription request (draft-dunglas-mercure-08, section "Subscription"): every
 * {@code match} and {@code match_exact} parameter is one exact matcher, in the order sent.
 *
 * <p>The whole {@code match} namespace is reserved: a name that begins with {@code match} under an ASCII
 * case-insensitive comparison and is not a supported matcher parameter is refused, so that a misspelled or
 * unsupported matcher type fails loudly instead of being ignored. {@code match_urlpattern} is a matcher type the
 * text requires and this hub does not support yet: it is refused with that reason.</p>
 *
 * <p>Each value must be valid UTF-8 (checked when the query is decoded, {@link FormBody#parseQuery}) with no C0 or
 * C1 control character, no U+007F and no Unicode format character (general category Cf). At most
 * {@value Limits#MAX_TOPICS} matchers of at most {@value Limits#MAX_TOPIC_LENGTH} characters each. Every violation
 * is a 400 with its reason.</p>
 */
public final class MatchParameters {

    /** The exact matcher type's canonical name (section "Exact Matching"). */
    public static final String EXACT_TYPE = "exact";
    /** The default matcher parameter, the exact matcher type. */
    public static final String MATCH = "match";
    /** The explicit spelling of the exact matcher type. */
    public static final String MATCH_EXACT = "match_exact";
    /** The URL Pattern matcher type's parameter. */
    public static final String MATCH_URLPATTERN = "match_urlpattern";

    private MatchParameters() {
    }

    /** Whether a request uses the 1.0 matcher namespace: some parameter name begins with {@code match}, any case. */
    public static boolean anyIn(FormBody query) {
        for (String name : query.names()) {
            if (isReserved(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The request's matchers, in the order sent (all {@code match} values, then all {@code match_exact} values).
     *
     * @throws ProtocolException 400 for a reserved name that is no supported matcher parameter, a value that breaks
     *                           the constraints above, too many matchers or too long a one, or no matcher at all
     */
    public static List<Matcher> parse(FormBody query) throws ProtocolException {
        List<Matcher> matchers = new ArrayList<>();
        for (String name : query.names()) {
            if (!isReserved(name)) {
                continue;
            }
            if (name.equals(MATCH) || name.equals(MATCH_EXACT)) {
                for (String value : query.all(name)) {
                    check(name, value);
                    matchers.add(Matcher.exact(value));
                }
            } else if (name.equals(MATCH_URLPATTERN)) {
                throw ProtocolException.badRequest("the matcher type urlpattern (\"" + MATCH_URLPATTERN
                        + "\") is not supported by this hub yet: \"" + MATCH + "\" takes exact topics (and, where"
                        + " this hub speaks draft-07, a \"topic\" parameter takes URI templates)");
            } else {
                throw ProtocolException.badRequest("unsupported matcher parameter \"" + name + "\": names beginning"
                        + " with \"match\" are reserved, and this hub supports \"" + MATCH + "\" and \""
                        + MATCH_EXACT + "\" (case-sensitive)");
            }
        }
        if (matchers.isEmpty()) {
            throw ProtocolException.badRequest("missing \"" + MATCH + "\" parameter");
        }
        if (matchers.size() > Limits.MAX_TOPICS) {
            throw ProtocolException.badRequest("too many matcher parameters: " + matchers.size() + " (at most "
                    + Limits.MAX_TOPICS + ")");
        }
        return List.copyOf(matchers);
    }

    /** ASCII case-insensitively: only A-Z fold to a-z, as the text asks. */
    private static boolean isReserved(String name) {
        if (name.length() < MATCH.length()) {
            return false;
        }
        for (int i = 0; i < MATCH.length(); i++) {
            char c = name.charAt(i);
            if ((c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) != MATCH.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static void check(String name, String value) throws ProtocolException {
        String problem = problem(value);
        if (problem != null) {
            throw ProtocolException.badRequest("a \"" + name + "\" value " + problem);
        }
    }

    /**
     * What is wrong with a matcher value, wherever it appears (a query parameter, a token's
     * {@code authorization_details}), as the end of a sentence; or null when it is acceptable: at most
     * {@value Limits#MAX_TOPIC_LENGTH} characters, no C0 or C1 control character, no U+007F, no format character
     * (section "Subscription").
     */
    public static String problem(String value) {
        if (value.length() > Limits.MAX_TOPIC_LENGTH) {
            return "is longer than " + Limits.MAX_TOPIC_LENGTH + " characters";
        }
        return Characters.forbiddenIn(value);
    }
}
