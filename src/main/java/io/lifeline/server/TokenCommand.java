package io.lifeline.server;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeline.auth.AdminClaim;
import io.lifeline.config.ConfigException;
import io.lifeline.config.ConfigSources;
import io.lifeline.config.Flags;
import io.lifeline.config.JwtKey;
import io.lifeline.config.Setting;
import io.lifeline.config.Settings;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded program's {@code token} command: {@code java -jar lifeline-server.jar token --publish '*'} prints a
 * JWT signed with the key the hub verifies with, so that {@code TOKEN=$(java -jar ... token ...)} works.
 *
 * <p>The key comes from the server's own settings (flags, system properties, environment). A token that publishes is
 * signed with the publisher key, one that subscribes or carries {@link AdminClaim} with the subscriber key; a token
 * asking for both where the two keys differ is refused. Only an HS256 key can sign: an RS256 key is a public key.</p>
 *
 * <p>Standard output gets the token alone, on one line; everything else (warnings, refusals) goes to standard
 * error. Exit status 0 with a token printed, {@link Main#EXIT_CONFIG} for bad flags or configuration.</p>
 */
public final class TokenCommand {

    /** The command's name, the program's first argument. */
    public static final String NAME = "token";

    /** How long a token is valid unless {@code --lifetime} says otherwise. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    private static final Pattern LIFETIME = Pattern.compile("(\\d{1,9})(s|m|h|d)");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private TokenCommand() {
    }

    /**
     * Runs the command with the process's system properties and environment.
     *
     * @param args the arguments after {@code token}
     * @return the exit status: 0, or {@link Main#EXIT_CONFIG}
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getProperties(), System.getenv(), Clock.systemUTC(), out, err);
    }

    /** As {@link #run(String[], PrintStream, PrintStream)}, with the sources of settings and the time given. */
    static int run(String[] args, Properties properties, Map<String, String> env, Clock clock, PrintStream out,
                   PrintStream err) {
        Request request;
        try {
            request = Request.parse(args);
        } catch (UsageException e) {
            err.println("lifeline token: " + e.getMessage());
            err.println(e.showUsage ? "\n" + usage() : "See: java -jar lifeline-server.jar token --help");
            return Main.EXIT_CONFIG;
        }
        if (request.help) {
            out.println(usage());
            return 0;
        }
        String token;
        try {
            Settings settings = Settings.load(ConfigSources.of(Flags.parse(request.settingArgs.toArray(String[]::new)),
                    properties, env, name -> null));
            settings.warnings().forEach(w -> err.println("lifeline token: warning: " + w));
            token = sign(request, settings, clock.instant());
        } catch (ConfigException e) {
            err.println("lifeline token: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        if (request.lifetime == null) {
            err.println("lifeline token: warning: this token never expires: whoever obtains it keeps what it grants "
                    + "until the key changes");
        }
        out.println(token);
        out.flush();
        return 0;
    }

    /** The command's help text, as {@code token --help} prints it. */
    static String usage() {
        return "usage: java -jar lifeline-server.jar token [flags]\n\n"
                + "Prints a token (a JWT) signed with this hub's key, alone on one line of standard output:\n"
                + "  TOKEN=$(java -jar lifeline-server.jar token --publish 'https://example.com/books/{id}')\n\n"
                + flag("--publish SELECTOR", "may publish to topics it matches (mercure.publish); repeatable")
                + flag("--subscribe SELECTOR", "gets private updates of topics it matches (mercure.subscribe); "
                + "repeatable")
                + flag("--admin", "the live view and its demonstration (\"" + AdminClaim.NAME + "\": {\""
                + AdminClaim.ADMIN + "\": true})")
                + flag("--payload JSON", "mercure.payload, any JSON value but null; subscription events show it")
                + flag("--lifetime DURATION", "valid for 30s, 15m, 1h, 7d... (default 1h); none: never expires")
                + flag("--help", "this text")
                + "\nA selector is a topic, a URI template, or '*' for every topic (quote it in a shell).\n\n"
                + "The key comes from the server's own settings, given the same ways: " + Setting.JWT_KEY.envName()
                + " or\n" + Setting.JWT_KEY.flagName() + ", " + Setting.JWT_ALGORITHM.envName() + ", "
                + Setting.PUBLISHER_JWT_KEY.envName() + ", " + Setting.SUBSCRIBER_JWT_KEY.envName()
                + ";\nevery flag of the server is accepted (java -jar lifeline-server.jar --help lists them).\n"
                + "A token that publishes is signed with the publisher key; one that subscribes or has --admin "
                + "with\nthe subscriber key. Where those differ, make two tokens. Only an HS256 key can sign: an "
                + "RS256 key\nis a public key, and its tokens are signed with the private key where they are "
                + "issued.\n\n"
                + "Exit status: 0 with the token printed; 2 for bad flags or configuration, the reason on "
                + "stderr.";
    }

    private static String flag(String flag, String description) {
        return String.format("  %-22s %s%n", flag, description);
    }

    private static String sign(Request request, Settings settings, Instant now) {
        if (!settings.authorization().hasKeys()) {
            throw new ConfigException("no JWT key is configured: set " + Setting.JWT_KEY.envName() + " (or "
                    + Setting.JWT_KEY.flagName() + ") to the key the hub verifies tokens with. A hub started without "
                    + "one runs in development mode with a key it makes at start-up, and prints a token for that "
                    + "key then; this command cannot know it");
        }
        boolean publishes = !request.publish.isEmpty();
        boolean subscribes = !request.subscribe.isEmpty() || request.admin;
        if (publishes && subscribes && !settings.publisherKey().equals(settings.subscriberKey())) {
            throw new ConfigException("publisher and subscriber tokens have different keys here ("
                    + Setting.PUBLISHER_JWT_KEY.envName() + ", " + Setting.SUBSCRIBER_JWT_KEY.envName()
                    + "), so no one token can do both: make two tokens, one with --publish and one with "
                    + (request.admin ? "--subscribe or --admin" : "--subscribe"));
        }
        String role = publishes ? "publisher" : "subscriber";
        JwtKey key = publishes ? settings.publisherKey() : settings.subscriberKey();
        if (key.algorithm() != JwtKey.Algorithm.HS256) {
            throw new ConfigException("the key for " + role + " tokens is an " + key.algorithm() + " public key: it "
                    + "verifies tokens but cannot sign them. Sign them with the matching private key where they are "
                    + "issued (see " + Setting.JWT_KEY.envName() + " in docs/configuration.md)");
        }

        Map<String, Object> mercure = new LinkedHashMap<>();
        if (publishes) {
            mercure.put("publish", request.publish);
        }
        if (!request.subscribe.isEmpty()) {
            mercure.put("subscribe", request.subscribe);
        }
        if (request.payload != null) {
            mercure.put("payload", request.payload);
        }
        JWTCreator.Builder jwt = JWT.create().withIssuedAt(now);
        if (!mercure.isEmpty()) {
            jwt.withClaim("mercure", mercure);
        }
        if (request.admin) {
            jwt.withClaim(AdminClaim.NAME, Map.of(AdminClaim.ADMIN, true));
        }
        if (request.lifetime != null) {
            jwt.withExpiresAt(now.plus(request.lifetime));
        }
        return jwt.sign(Algorithm.HMAC256(key.secret()));
    }

    /** What the command line asks for. */
    private static final class Request {
        final List<String> publish = new ArrayList<>();
        final List<String> subscribe = new ArrayList<>();
        /** Plain Java values java-jwt can write: maps, lists, strings, longs, doubles, booleans, nulls. */
        Object payload;
        boolean admin;
        boolean help;
        /** Null for a token without {@code exp}. */
        Duration lifetime = DEFAULT_LIFETIME;
        /** The server's flags, with their values, for {@link Flags#parse}. */
        final List<String> settingArgs = new ArrayList<>();

        static Request parse(String[] args) {
            Request r = new Request();
            if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
                r.help = true;
                return r;
            }
            boolean lifetimeGiven = false;
            boolean payloadGiven = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("-")) {
                    throw new UsageException("unexpected argument '" + arg + "': a selector follows --publish or "
                            + "--subscribe", false);
                }
                int eq = arg.indexOf('=');
                String name = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
                String inline = name.equals(arg) ? null : arg.substring(eq + 1);
                switch (name) {
                    case "--admin" -> {
                        if (inline != null) {
                            throw new UsageException("--admin takes no value", false);
                        }
                        r.admin = true;
                    }
                    case "--publish" -> r.publish.add(selector(name, inline != null ? inline : value(args, ++i, name)));
                    case "--subscribe" ->
                            r.subscribe.add(selector(name, inline != null ? inline : value(args, ++i, name)));
                    case "--lifetime" -> {
                        if (lifetimeGiven) {
                            throw new UsageException("--lifetime is given twice", false);
                        }
                        lifetimeGiven = true;
                        r.lifetime = lifetime(inline != null ? inline : value(args, ++i, name));
                    }
                    case "--payload" -> {
                        if (payloadGiven) {
                            throw new UsageException("--payload is given twice", false);
                        }
                        payloadGiven = true;
                        r.payload = payload(inline != null ? inline : value(args, ++i, name));
                    }
                    default -> {
                        if (!isSettingFlag(name)) {
                            throw new UsageException("unknown flag '" + name + "'", false);
                        }
                        r.settingArgs.add(arg);
                        if (inline == null && i + 1 < args.length) {
                            r.settingArgs.add(args[++i]);
                        } // else Flags.parse says the value is missing
                    }
                }
            }
            if (r.publish.isEmpty() && r.subscribe.isEmpty() && !r.admin) {
                throw new UsageException("say what the token grants with --publish, --subscribe or --admin: a token "
                        + "that grants nothing is of no use", true);
            }
            return r;
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length) {
                throw new UsageException(flag + " needs a value", false);
            }
            return args[i];
        }

        private static String selector(String flag, String selector) {
            if (selector.isEmpty()) {
                throw new UsageException(flag + " needs a selector: a topic, a URI template, or '*'", false);
            }
            return selector;
        }

        /** A duration with a unit (s, m, h, d), or null for {@code none}. */
        private static Duration lifetime(String text) {
            if (text.trim().equals("none")) {
                return null;
            }
            Matcher m = LIFETIME.matcher(text.trim());
            if (!m.matches()) {
                throw new UsageException("--lifetime '" + text + "' is not a duration with a unit, e.g. 30s, 15m, 1h "
                        + "or 7d, nor none (a token that never expires)", false);
            }
            long n = Long.parseLong(m.group(1));
            if (n == 0) {
                throw new UsageException("--lifetime must be longer than zero", false);
            }
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }

        private static Object payload(String text) {
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                String problem = e.getOriginalMessage();
                if (problem.startsWith("Trailing token")) {
                    throw new UsageException("--payload holds more than one JSON value: give one (an object or an "
                            + "array to carry several)", false);
                }
                throw new UsageException("--payload is not JSON: " + problem + (problem.startsWith("Unrecognized token")
                        ? " (a string needs its quotes: --payload '\"text\"')" : ""), false);
            }
            if (node == null || node.isMissingNode()) {
                throw new UsageException("--payload is empty: give a JSON value, e.g. '{\"name\":\"Ada\"}'", false);
            }
            if (node.isNull()) {
                throw new UsageException("--payload null adds nothing: leave the flag out", false);
            }
            return plain(node);
        }

        /** The JSON as maps, lists and boxed scalars, the types java-jwt writes into a claim. */
        private static Object plain(JsonNode node) {
            if (node.isObject()) {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    map.put(e.getKey(), plain(e.getValue()));
                }
                return map;
            }
            if (node.isArray()) {
                List<Object> list = new ArrayList<>(node.size());
                node.forEach(element -> list.add(plain(element)));
                return list;
            }
            if (node.isIntegralNumber()) {
                if (!node.canConvertToLong()) {
                    throw new UsageException("--payload holds the number " + node + ", larger than a 64-bit "
                            + "integer: give it as a string", false);
                }
                return node.longValue();
            }
            if (node.isNumber()) {
                if (!Double.isFinite(node.doubleValue())) {
                    throw new UsageException("--payload holds the number " + node + ", beyond a double: give it as "
                            + "a string", false);
                }
                return node.doubleValue();
            }
            if (node.isBoolean()) {
                return node.booleanValue();
            }
            if (node.isNull()) {
                return null;
            }
            return node.asText();
        }

        private static boolean isSettingFlag(String name) {
            for (Setting s : Setting.values()) {
                if (s.flagName().equals(name)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A command line the command cannot follow; {@code showUsage} when the whole help text would help. */
    private static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final boolean showUsage;

        UsageException(String message, boolean showUsage) {
            super(message);
            this.showUsage = showUsage;
        }
    }
}
