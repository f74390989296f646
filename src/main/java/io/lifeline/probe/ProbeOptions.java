package io.lifeline.probe;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The probe's command line: {@code probe URL [--header NAME:VALUE]... [--window 20s] [--json] [--insecure]
 * [--token JWT | --publish-token JWT --subscribe-token JWT] [--no-stall]}.
 *
 * @param url            the event stream to probe, {@code http} or {@code https}
 * @param headers        header lines sent with every stream request, as given ({@code Authorization}, a cookie)
 * @param window         how long each departure is watched for an answer from the server
 * @param json           print JSON instead of the table
 * @param insecure       accept any TLS certificate and host name (self-signed test servers)
 * @param publishToken   for a Mercure hub: a JWT that may publish to any topic, or null
 * @param subscribeToken for a Mercure hub: a JWT that may read the subscriptions API, or null
 * @param stall          for a Mercure hub with a publish token: run the stalled-reader check, which publishes
 *                       {@link StallCheck#PUBLISHED_BYTES} to a topic of its own
 * @param help           print the usage and nothing else
 */
public record ProbeOptions(URI url, List<String> headers, Duration window, boolean json, boolean insecure,
                           String publishToken, String subscribeToken, boolean stall, boolean help) {

    /** How long each departure is watched unless {@code --window} says otherwise. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(20);
    /** The longest {@code --window} accepted: the probe runs about this long at most. */
    public static final Duration MAX_WINDOW = Duration.ofMinutes(10);

    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(ms|s|m)");
    /** RFC 6750, section 2.1: the characters of a bearer token ({@code b64token}). */
    private static final Pattern BEARER = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
    /** RFC 9110, section 5.1: a field name is a token. */
    private static final Pattern FIELD_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /**
     * Parses the arguments after {@code probe}.
     *
     * @throws ProbeException with a message naming the argument at fault
     */
    public static ProbeOptions parse(String... args) throws ProbeException {
        URI url = null;
        List<String> headers = new ArrayList<>();
        Duration window = DEFAULT_WINDOW;
        boolean json = false;
        boolean insecure = false;
        boolean stall = true;
        String publishToken = null;
        String subscribeToken = null;
        List<String> words = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 2) {
                words.add(arg.substring(0, eq)); // --window=5s, as GNU tools take it
                words.add(arg.substring(eq + 1));
            } else {
                words.add(arg);
            }
        }
        args = words.toArray(String[]::new);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> {
                    return new ProbeOptions(null, List.of(), window, false, false, null, null, false, true);
                }
                case "--json" -> json = true;
                case "--insecure" -> insecure = true;
                case "--no-stall" -> stall = false;
                case "--header", "-H" -> headers.add(header(value(args, ++i, arg)));
                case "--window" -> window = window(value(args, ++i, arg));
                case "--token" -> {
                    publishToken = token(value(args, ++i, arg), arg);
                    subscribeToken = publishToken;
                }
                case "--publish-token" -> publishToken = token(value(args, ++i, arg), arg);
                case "--subscribe-token" -> subscribeToken = token(value(args, ++i, arg), arg);
                default -> {
                    if (arg.startsWith("-")) {
                        throw new ProbeException("unknown flag " + arg);
                    }
                    if (url != null) {
                        throw new ProbeException("one URL only; got " + url + " and " + arg);
                    }
                    url = url(arg);
                }
            }
        }
        if (url == null) {
            throw new ProbeException("the URL of an event stream is missing");
        }
        return new ProbeOptions(url, List.copyOf(headers), window, json, insecure, publishToken, subscribeToken,
                stall, false);
    }

    private static String value(String[] args, int i, String flag) throws ProbeException {
        if (i >= args.length) {
            throw new ProbeException(flag + " needs a value");
        }
        return args[i];
    }

    private static URI url(String text) throws ProbeException {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new ProbeException("not a URL: " + text + " (" + e.getReason() + ")");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ProbeException("the URL must start with http:// or https://: " + text);
        }
        if (url.getHost() == null) {
            throw new ProbeException("the URL names no host: " + text);
        }
        if (url.getRawUserInfo() != null) {
            throw new ProbeException("give credentials with --header 'Authorization: ...', not in the URL");
        }
        return url;
    }

    /** {@code NAME:VALUE} (spaces around the value allowed), checked so that nothing can split the request. */
    static String header(String text) throws ProbeException {
        int colon = text.indexOf(':');
        if (colon <= 0 || !FIELD_NAME.matcher(text.substring(0, colon)).matches()) {
            throw new ProbeException("--header takes NAME:VALUE, e.g. 'Authorization: Bearer ...'; got: " + text);
        }
        String value = text.substring(colon + 1).trim();
        if (value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f || c > 0xff)) {
            throw new ProbeException("--header " + text.substring(0, colon) + ": a value holds only visible "
                    + "Latin-1 characters, spaces and tabs (RFC 9110, section 5.5)");
        }
        return text.substring(0, colon) + ": " + value;
    }

    private static String token(String text, String flag) throws ProbeException {
        if (!BEARER.matcher(text).matches()) {
            throw new ProbeException(flag + " takes a bearer token (a JWT: letters, digits and -._~+/=)");
        }
        return text;
    }

    static Duration window(String text) throws ProbeException {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new ProbeException("--window takes a duration with a unit, e.g. 20s, 1500ms or 2m; got: " + text);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
        if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(MAX_WINDOW) > 0) {
            throw new ProbeException("--window must be from 1s to " + MAX_WINDOW.toMinutes() + "m; got: " + text);
        }
        return d;
    }
}
