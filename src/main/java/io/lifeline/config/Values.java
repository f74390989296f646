package io.lifeline.config;

import com.nimbusds.jose.JWSAlgorithm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for setting values. Each error message names the setting and where its value came from. */
final class Values {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})(B|KiB|MiB|GiB)?");
    private static final Pattern ORIGIN = Pattern.compile("https?://[a-z0-9.\\-]+(:\\d{1,5})?|https?://\\[[0-9a-f:.]+\\](:\\d{1,5})?");
    /** RFC 6750, 2.1: the characters a bearer token may hold. */
    private static final Pattern BEARER_TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
    private static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+\\-.^_`|~]+");

    /** The signature algorithms {@code LIFELINE_ALGORITHMS} may name. */
    static final Set<JWSAlgorithm> SIGNATURE_ALGORITHMS = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            JWSAlgorithm.EdDSA, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)));

    private Values() {
    }

    static Duration duration(ConfigSources.Value v) {
        Duration d = durationOrZero(v);
        if (d.isZero()) {
            throw bad(v, "must be longer than zero");
        }
        return d;
    }

    static Duration durationOrZero(ConfigSources.Value v) {
        Matcher m = DURATION.matcher(v.raw().trim());
        if (!m.matches()) {
            throw bad(v, "is not a duration with a unit, e.g. 15s, 500ms, 2m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        return d;
    }

    static long size(ConfigSources.Value v) {
        Matcher m = SIZE.matcher(v.raw().trim());
        if (!m.matches()) {
            throw bad(v, "is not a size in bytes, e.g. 65536, 64KiB or 4MiB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        long bytes = switch (unit) {
            case "KiB" -> n << 10;
            case "MiB" -> n << 20;
            case "GiB" -> n << 30;
            default -> n;
        };
        if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
            throw bad(v, "must be between 1 byte and 2GiB");
        }
        return bytes;
    }

    /**
     * A socket's byte bound: 0 for none, else from {@code min} to 1 GiB (the kernel's options are signed 32-bit, and it
     * doubles {@code SO_SNDBUF}).
     */
    static long socketBytesOrZero(ConfigSources.Value v, long min) {
        if (v.raw().trim().equals("0")) {
            return 0;
        }
        long bytes = size(v);
        if (bytes < min || bytes > 1 << 30) {
            throw bad(v, "must be 0 (none) or from " + min / 1024 + "KiB to 1GiB");
        }
        return bytes;
    }

    static int count(ConfigSources.Value v) {
        try {
            int n = Integer.parseInt(v.raw().trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(v, "is not a whole number of 0 or more");
    }

    /** A whole number of 1 or more; {@code alternatives} names what else the setting takes, for the message. */
    static int positiveCount(ConfigSources.Value v, String alternatives) {
        try {
            int n = Integer.parseInt(v.raw().trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(v, "is not a whole number of 1 or more, " + alternatives);
    }

    /** Origins as browsers send them: {@code scheme://host[:port]}, lower case, no path; or {@code *}. */
    static List<String> origins(ConfigSources.Value v) {
        List<String> origins = new ArrayList<>();
        for (String part : v.raw().split(",")) {
            String origin = part.trim().toLowerCase(Locale.ROOT);
            if (origin.isEmpty()) {
                continue;
            }
            if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
                throw bad(v, "holds '" + part.trim() + "', which is not an origin such as https://example.com "
                        + "(scheme, host and port only)");
            }
            origins.add(origin);
        }
        return List.copyOf(origins);
    }

    /** A file that must exist and be readable, or null when the value is empty. */
    static Path readableFileOrNone(ConfigSources.Value v) {
        String raw = v.raw().trim();
        if (raw.isEmpty()) {
            return null;
        }
        Path path = Path.of(raw);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw bad(v, "is not a readable file");
        }
        return path;
    }

    /**
     * Opens the keystore once at start-up, so that a wrong password or a file that is no keystore stops start-up
     * naming the settings, rather than failing later inside the server's TLS set-up.
     */
    static void checkKeystore(Path keystore, ConfigSources.Value path, ConfigSources.Value password) {
        try {
            KeyStore.getInstance(keystore.toFile(), password.raw().toCharArray());
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(path.origin() + " = '" + path.raw() + "' cannot be opened with "
                    + password.origin() + ": " + e.getMessage());
        }
    }

    /** Addresses and CIDR ranges, comma-separated; empty for none. */
    static List<AddressRange> addressRanges(ConfigSources.Value v) {
        List<AddressRange> ranges = new ArrayList<>();
        for (String part : v.raw().split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                ranges.add(AddressRange.parse(part.trim()));
            } catch (IllegalArgumentException e) {
                throw bad(v, "holds '" + part.trim() + "', which " + e.getMessage());
            }
        }
        return List.copyOf(ranges);
    }

    /** A bearer token (RFC 6750, 2.1), or null when the value is empty. */
    static String bearerTokenOrNone(ConfigSources.Value v) {
        String raw = v.raw().trim();
        if (raw.isEmpty()) {
            return null;
        }
        if (!BEARER_TOKEN.matcher(raw).matches()) {
            throw bad(v, "is not a bearer token (letters, digits and -._~+/ only, then = padding): it could not be "
                    + "sent in an Authorization header");
        }
        return raw;
    }

    static String cookieName(ConfigSources.Value v) {
        if (!COOKIE_NAME.matcher(v.raw()).matches()) {
            throw bad(v, "is not a cookie name (letters, digits and !#$%&'*+-.^_`|~ only)");
        }
        return v.raw();
    }

    /** {@code draft-07}, {@code 1.0}, or both, comma-separated, in any order; at least one. */
    static Set<String> dialects(ConfigSources.Value v) {
        Set<String> dialects = new LinkedHashSet<>();
        for (String part : v.raw().split(",")) {
            String dialect = part.trim();
            if (dialect.isEmpty()) {
                continue;
            }
            if (!dialect.equals(Settings.DRAFT_07) && !dialect.equals(Settings.MERCURE_1_0)) {
                throw bad(v, "holds '" + dialect + "': the dialects are " + Settings.DRAFT_07 + " and "
                        + Settings.MERCURE_1_0);
            }
            dialects.add(dialect);
        }
        if (dialects.isEmpty()) {
            throw bad(v, "names no dialect: subscriptions need " + Settings.DRAFT_07 + ", " + Settings.MERCURE_1_0
                    + " or both");
        }
        return Collections.unmodifiableSet(dialects);
    }

    /** Algorithms of RFC 7518 (and EdDSA, RFC 8037) by their JOSE names, comma-separated; never {@code none}. */
    static Set<JWSAlgorithm> algorithms(ConfigSources.Value v) {
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        for (String part : v.raw().split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (name.equalsIgnoreCase("none")) {
                throw bad(v, "holds none: an unsigned token proves nothing (RFC 8725, section 3.1)");
            }
            JWSAlgorithm known = SIGNATURE_ALGORITHMS.stream().filter(a -> a.getName().equals(name)).findFirst()
                    .orElseThrow(() -> bad(v, "holds '" + name + "', which is not one of "
                            + TrustedIssuer.names(SIGNATURE_ALGORITHMS) + " (case matters, as in JOSE)"));
            algorithms.add(known);
        }
        if (algorithms.isEmpty()) {
            throw bad(v, "names no algorithm");
        }
        return Collections.unmodifiableSet(algorithms);
    }

    static boolean bool(ConfigSources.Value v) {
        return switch (v.raw()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(v, "must be exactly true or false");
        };
    }

    static int port(ConfigSources.Value v) {
        try {
            int port = Integer.parseInt(v.raw().trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(v, "is not a TCP port (0 to 65535; 0 picks any free port)");
    }

    /**
     * The transport: null for {@code memory}, else a Redis URI ({@code redis://}, {@code rediss://},
     * {@code redis-sentinel://}) with a host, checked here for its shape only; whether Redis answers is found out at
     * start-up.
     */
    static String transport(ConfigSources.Value v) {
        String raw = v.raw().trim();
        if (raw.equalsIgnoreCase("memory")) {
            return null;
        }
        int colon = raw.indexOf("://");
        String scheme = colon < 0 ? "" : raw.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!List.of("redis", "rediss", "redis-sentinel").contains(scheme)) {
            throw bad(v, "is neither memory nor a Redis URI (redis://host:port, rediss://host:port, "
                    + "redis-sentinel://host:port/db#master)");
        }
        String rest = raw.substring(colon + 3);
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int at = rest.indexOf(c);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        String authority = rest.substring(0, end);
        String hosts = authority.substring(authority.lastIndexOf('@') + 1);
        if (hosts.isEmpty()) {
            throw bad(v, "names no Redis host");
        }
        return raw;
    }

    /** A node's name: letters, digits, {@code .}, {@code -}, {@code _} and {@code :}, at most 100. */
    static String nodeName(ConfigSources.Value v) {
        String raw = v.raw().trim();
        if (!raw.matches("[A-Za-z0-9._:-]{1,100}")) {
            throw bad(v, "is not a node name (1 to 100 letters, digits, '.', '-', '_' or ':')");
        }
        return raw;
    }

    static String nonEmpty(ConfigSources.Value v) {
        if (v.raw().isEmpty()) {
            throw bad(v, "is empty");
        }
        return v.raw();
    }

    static ConfigException bad(ConfigSources.Value v, String problem) {
        return new ConfigException(v.origin() + " = '" + v.raw() + "' " + problem);
    }
}
