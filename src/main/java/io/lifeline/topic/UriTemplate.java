package io.lifeline.topic;

import com.google.re2j.Pattern;

/**
 * A URI template (RFC 6570) turned into a pattern that matches the URIs it can expand to.
 *
 * <p>RFC 6570 defines expansion only; matching follows the reference hub, whose templates compile to regular
 * expressions in a fixed way:</p>
 * <ul>
 *   <li>literal text matches itself;</li>
 *   <li>every expression is optional as a whole, and each of its values may be empty;</li>
 *   <li>a value of a simple, {@code .}, {@code /}, {@code ;}, {@code ?} or {@code &} expression is made of unreserved
 *       characters, percent-escapes and {@code ,} (plus {@code =} for named and exploded variables): it never
 *       crosses a {@code /};</li>
 *   <li>a value of a {@code +} or {@code #} expression may also hold reserved characters, {@code /} included;</li>
 *   <li>an expression with n variables matches up to n values joined by its separator, any number when a
 *       variable is exploded; prefix modifiers ({@code :3}) do not limit the length.</li>
 * </ul>
 *
 * <p>Patterns run on RE2: matching time is linear in the topic's length whatever the template, so a subscriber
 * cannot make the hub's matching explode with a crafted selector.</p>
 */
public final class UriTemplate {

    private static final String UNRESERVED = "\\x2d\\x2e\\x30-\\x39\\x41-\\x5a\\x5f\\x61-\\x7a\\x7e";
    private static final String RESERVED = "\\x21\\x23\\x24\\x26-\\x2c\\x2f\\x3a\\x3b\\x3d\\x3f\\x40\\x5b\\x5d";
    private static final String PERCENT_ESCAPE = "%[0-9A-Fa-f][0-9A-Fa-f]";

    private final String template;
    private final Pattern pattern;

    private UriTemplate(String template, Pattern pattern) {
        this.template = template;
        this.pattern = pattern;
    }

    /** Parses a template; throws {@link IllegalArgumentException} if it is not one. */
    public static UriTemplate parse(String template) {
        return new UriTemplate(template, Pattern.compile(new Compiler(template).compile()));
    }

    public boolean matches(String uri) {
        return pattern.matches(uri);
    }

    @Override
    public String toString() {
        return template;
    }

    /** One pass over the template, writing the pattern as it goes. */
    private static final class Compiler {
        private final String t;
        private final StringBuilder re = new StringBuilder("^");
        private int i;

        Compiler(String template) {
            this.t = template;
        }

        String compile() {
            StringBuilder literal = new StringBuilder();
            while (i < t.length()) {
                int c = t.codePointAt(i);
                if (c == '{') {
                    flushLiteral(literal);
                    i++;
                    expression();
                } else if (c == '%') {
                    literal.append(percentEscape());
                } else if (isLiteral(c)) {
                    literal.appendCodePoint(c);
                    i += Character.charCount(c);
                } else {
                    throw error("character '" + new String(Character.toChars(c)) + "' is not allowed in a template");
                }
            }
            flushLiteral(literal);
            return re.append('$').toString();
        }

        private void flushLiteral(StringBuilder literal) {
            if (literal.length() > 0) {
                re.append("(?:").append(Pattern.quote(literal.toString())).append(')');
                literal.setLength(0);
            }
        }

        private void expression() {
            if (i >= t.length()) {
                throw error("unterminated expression");
            }
            char op = t.charAt(i);
            switch (op) {
                case '+', '#', '.', '/', ';', '?', '&' -> i++;
                case '=', ',', '!', '@', '|' -> throw error("reserved operator '" + op + "'");
                default -> op = 0;
            }
            int variables = 0;
            boolean exploded = false;
            boolean firstExploded = false;
            while (true) {
                varname();
                variables++;
                if (i < t.length() && t.charAt(i) == '*') {
                    exploded = true;
                    firstExploded |= variables == 1;
                    i++;
                } else if (i < t.length() && t.charAt(i) == ':') {
                    i++;
                    prefixLength();
                }
                if (i >= t.length()) {
                    throw error("unterminated expression");
                }
                char next = t.charAt(i++);
                if (next == '}') {
                    break;
                }
                if (next != ',') {
                    throw error("unexpected '" + next + "' in an expression");
                }
            }
            writeExpression(op, variables, exploded, firstExploded);
        }

        private void writeExpression(char op, int variables, boolean exploded, boolean firstExploded) {
            String first = switch (op) {
                case '#', '.', '/', ';', '?', '&' -> String.valueOf(op);
                default -> "";
            };
            String separator = switch (op) {
                case '.', '/', ';', '&' -> String.valueOf(op);
                case '?' -> "&";
                default -> ",";
            };
            boolean named = op == ';' || op == '?' || op == '&';
            boolean reserved = op == '+' || op == '#';

            if (!first.isEmpty()) {
                re.append("(?:").append(Pattern.quote(first));
            }
            re.append('(').append(value(reserved, named || firstExploded));
            if (variables > 1 || firstExploded) {
                re.append("(?:").append(Pattern.quote(separator)).append(value(reserved, named || exploded))
                        .append(')').append(exploded ? "*" : "{0," + (variables - 1) + "}");
            }
            re.append(')');
            if (!first.isEmpty()) {
                re.append(')');
            }
            re.append('?');
        }

        private static String value(boolean reserved, boolean withEquals) {
            String characters = reserved ? UNRESERVED + RESERVED : "\\x2c" + (withEquals ? "\\x3d" : "") + UNRESERVED;
            return "(?:(?:[" + characters + "]|" + PERCENT_ESCAPE + ")*)";
        }

        private void varname() {
            int start = i;
            boolean lastWasDot = true;
            while (i < t.length()) {
                char c = t.charAt(i);
                if (c == '%') {
                    percentEscape();
                    lastWasDot = false;
                } else if (c == '.') {
                    if (lastWasDot) {
                        throw error("a variable name has an empty part");
                    }
                    lastWasDot = true;
                    i++;
                } else if (c == '_' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
                    lastWasDot = false;
                    i++;
                } else {
                    break;
                }
            }
            if (i == start || lastWasDot) {
                throw error("missing or malformed variable name");
            }
        }

        private void prefixLength() {
            int start = i;
            while (i < t.length() && Character.isDigit(t.charAt(i)) && t.charAt(i) < 128) {
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 4 || Integer.parseInt(t.substring(start, i)) == 0) {
                throw error("a prefix length is 1 to 9999");
            }
        }

        private String percentEscape() {
            if (i + 2 >= t.length()) {
                throw error("truncated percent-escape");
            }
            if (Character.digit(t.charAt(i + 1), 16) < 0 || Character.digit(t.charAt(i + 2), 16) < 0) {
                throw error("invalid percent-escape");
            }
            String escape = t.substring(i, i + 3);
            i += 3;
            return escape;
        }

        /** RFC 6570 literals: ASCII but controls, space and {@code " < > \\ ^ ` { | }}; most non-ASCII characters. */
        private static boolean isLiteral(int c) {
            if (c < 0x80) {
                return c == '!' || c == '#' || c == '$' || c >= '&' && c <= ';' || c == '=' || c >= '?' && c <= '['
                        || c == ']' || c == '_' || c >= 'a' && c <= 'z' || c == '~';
            }
            return c >= 0xA0 && c <= 0xD7FF || c >= 0xE000 && c <= 0xFDCF || c >= 0xFDF0 && c <= 0xFFEF
                    || c >= 0x10000 && c <= 0x10FFFD && (c & 0xFFFF) <= 0xFFFD && !(c >= 0xE0000 && c < 0xE1000);
        }

        private IllegalArgumentException error(String problem) {
            return new IllegalArgumentException(problem + " at " + i + " in " + t);
        }
    }
}
