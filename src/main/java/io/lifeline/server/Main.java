package io.lifeline.server;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.lifeline.auth.AccessTokenType;
import io.lifeline.config.ConfigException;
import io.lifeline.config.Flags;
import io.lifeline.config.Setting;
import io.lifeline.config.Settings;
import io.lifeline.probe.ProbeCommand;
import java.net.BindException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded program: {@code java -jar lifeline-server.jar [--port N] [--jwt-key K] ...}, or
 * {@code java -jar lifeline-server.jar token ...} to print a token for the configured key ({@link TokenCommand}), or
 * {@code java -jar lifeline-server.jar probe URL} to ask whether any SSE server notices a departure
 * ({@link ProbeCommand}).
 *
 * <p>Prints one readiness line once it listens ({@link Listening}): where, with the real port. A stop on
 * {@code SIGTERM} or {@code SIGINT} at any moment, during start-up too, exits 0 once clean ({@link StopOnSignal}).
 * With no key configured it runs in development mode, loudly: a key generated for this run, a token that may publish and subscribe to everything, anonymous
 * subscribers allowed. Bad configuration or a port in use stops it with a message and a non-zero exit status.</p>
 */
public final class Main {

    /** Where Logback looks for its configuration: a file, a URL, or a resource on the class path. */
    static final String LOGGING_PROPERTY = "logback.configurationFile";
    /** The bundled logging configuration, a resource on the class path. */
    static final String LOGGING = "io/lifeline/server/logback.xml";

    /** Exit status for bad configuration. */
    static final int EXIT_CONFIG = 2;

    /** How long development mode's Mercure 1.0 access token is valid. */
    static final Duration DEVELOPMENT_ACCESS_TOKEN_LIFETIME = Duration.ofHours(24);
    /** Exit status when the server cannot start, e.g. the port is in use. */
    static final int EXIT_START = 1;
    /** Exit status when a stop (SIGTERM, SIGINT) did not complete cleanly. */
    static final int EXIT_STOP_FAILED = 3;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        boolean command = args.length > 0 && (args[0].equals(TokenCommand.NAME) || args[0].equals(ProbeCommand.NAME)
                || args[0].equals(TRAIN)) || List.of(args).contains("--help") || List.of(args).contains("-h");
        // the server's stop is in place before anything else happens, logging's configuration included
        StopOnSignal stop = command ? null : StopOnSignal.install();
        String loggingProblem = configureLogging();
        if (loggingProblem != null) {
            System.err.println("lifeline: " + loggingProblem);
            if (stop != null) {
                stop.exit(EXIT_CONFIG);
            }
            System.exit(EXIT_CONFIG);
            return;
        }
        if (args.length > 0 && args[0].equals(TokenCommand.NAME)) {
            int status = TokenCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
            flushLog();
            if (status != 0) {
                System.exit(status);
            }
            return;
        }
        if (args.length > 0 && args[0].equals(ProbeCommand.NAME)) {
            int status = ProbeCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
            flushLog();
            System.exit(status);
            return;
        }
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(usage());
            return;
        }
        if (args.length > 0 && args[0].equals(TRAIN)) {
            System.exit(train(Arrays.copyOfRange(args, 1, args.length)));
            return;
        }
        Settings settings;
        try {
            settings = Settings.load(Flags.parse(args), name -> null);
        } catch (ConfigException e) {
            System.err.println("lifeline: " + e.getMessage());
            stop.exit(EXIT_CONFIG);
            return;
        }
        String developmentToken = null;
        String developmentKey = null;
        if (!settings.authorization().hasKeys()) {
            String key = generateKey();
            developmentKey = key;
            settings = settings.withDevelopmentKey(key);
            if (settings.hub().speaks(Settings.DRAFT_07)) {
                developmentToken = JWT.create()
                        .withClaim("mercure", Map.of("publish", List.of("*"), "subscribe", List.of("*")))
                        .sign(Algorithm.HMAC256(key));
            }
        }

        EmbeddedServer server;
        stop.starting();
        Warmup.Report[] warmedUp = new Warmup.Report[1];
        Settings started = settings;
        try {
            server = EmbeddedServer.start(settings, () -> warmedUp[0] = Warmup.run(started, started.server().warmup()));
        } catch (Exception e) {
            if (!stop.startFailed()) {
                System.err.println("lifeline: " + startFailure(e, settings));
                stop.exit(EXIT_START);
            }
            return; // a stop began during the start: it ends the program
        }
        if (!stop.started(server)) {
            return; // a stop began during the start: it stops the server and ends the program
        }
        LoggerFactory.getLogger(Main.class).info("{}", JvmSettings.describe(settings.hub().maxSubscribers()));
        if (warmedUp[0] != null) {
            LoggerFactory.getLogger(Main.class).info("{}", warmedUp[0].describe());
        }

        Listening listening = Listening.of(settings.server().host(),
                settings.server().tlsKeystore() == null ? "http" : "https", server.localAddress());
        String banner = null;
        if (settings.developmentMode()) {
            // the resource names the bound port, also for --port 0
            String developmentAccessToken = settings.hub().speaks(Settings.MERCURE_1_0)
                    ? developmentAccessToken(developmentKey, server.settings().authorization().resource()) : null;
            banner = developmentBanner(listening.url(), developmentToken, developmentAccessToken,
                    settings.server().host());
        }
        String shown = banner;
        awaitLogWritten(); // every start-up line comes before the readiness line
        stop.unlessStopping(() -> {
            if (shown != null) {
                System.out.println(shown);
            }
            System.out.println(listening.readinessLine());
            System.out.flush();
        });
        server.join();
    }

    /** The command that trains a JVM's ahead-of-time cache: {@code java -XX:AOTCacheOutput=... -jar ... train}. */
    static final String TRAIN = "train";

    /** How long {@link #TRAIN} runs the warm-up. */
    static final Duration TRAINING = Duration.ofSeconds(30);

    /**
     * Runs the warm-up ({@link Warmup}) for {@link #TRAINING} with the settings and flags the server would run with,
     * then exits: with {@code -XX:AOTCacheOutput=lifeline.aot} (a JVM of release 25 or later, JEP 483 and 515), the
     * JVM writes at its exit a cache of the classes it loaded and linked and the profiles of the methods it ran, which
     * a later start reads with {@code -XX:AOTCache=lifeline.aot}. Elsewhere it only warms up and exits. Nothing
     * listens but the warm-up's own loopback port.
     *
     * @return 0, or {@link #EXIT_CONFIG} for bad flags
     */
    private static int train(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.load(Flags.parse(args), name -> null);
        } catch (ConfigException e) {
            System.err.println("lifeline: " + e.getMessage());
            return EXIT_CONFIG;
        }
        if (!settings.authorization().hasKeys()) {
            settings = settings.withDevelopmentKey(generateKey());
        }
        Warmup.Report report = Warmup.run(settings, TRAINING);
        System.out.println("trained: " + report.summary());
        flushLog();
        return 0;
    }

    /** Waits, a second at most, until every line logged so far is written ({@link BatchingConsoleAppender}). */
    private static void awaitLogWritten() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            logback.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(appender -> {
                if (appender instanceof BatchingConsoleAppender batching) {
                    batching.awaitWritten(Duration.ofSeconds(1));
                }
            });
        }
    }

    /**
     * Writes every log line still queued ({@link BatchingConsoleAppender}) and stops logging: the last thing before
     * the program exits, which a JVM ended by {@link Runtime#halt} or {@link System#exit} would not do by itself.
     */
    static void flushLog() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            logback.stop();
        }
    }

    private static String startFailure(Exception e, Settings settings) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "cannot listen on port " + settings.server().port() + ": " + t.getMessage()
                        + " (choose another with " + Setting.PORT.flagName() + " or " + Setting.PORT.envName() + ")";
            }
            if (t instanceof ConfigException) {
                return t.getMessage();
            }
        }
        return "cannot start: " + e;
    }

    private static String generateKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    /**
     * A Mercure 1.0 access token of the development issuer, for this run's key: publish and subscribe on every topic,
     * valid for {@link #DEVELOPMENT_ACCESS_TOKEN_LIFETIME} ({@code exp} is required in 1.0).
     */
    private static String developmentAccessToken(String key, String resource) {
        Instant now = Instant.now();
        Map<String, Object> grant = Map.of("type", "https://mercure.rocks/authorization-detail",
                "actions", List.of("publish", "subscribe"), "topics", List.of(Map.of("match", "*")));
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(Settings.DEVELOPMENT_ISSUER)
                .audience(resource)
                .subject("urn:lifeline:development")
                .claim("client_id", Settings.DEVELOPMENT_ISSUER)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(DEVELOPMENT_ACCESS_TOKEN_LIFETIME)))
                .jwtID("urn:uuid:" + UUID.randomUUID())
                .claim("authorization_details", List.of(grant))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
                .type(new JOSEObjectType(AccessTokenType.TYPE)).build(), claims);
        try {
            jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException("the development access token could not be signed", e);
        }
        return jwt.serialize();
    }

    private static String developmentBanner(String url, String token, String accessToken, String host) {
        String rule = "=".repeat(78);
        String listening = Settings.DEVELOPMENT_HOST.equals(host)
                ? "  It listens on " + host + " only: set " + Setting.HOST.envName() + " to listen elsewhere.\n"
                : "  It listens on " + (host == null ? "every interface" : host) + ", as " + Setting.HOST.envName()
                + " asks:\n  anyone who can reach it there may subscribe.\n";
        return rule + "\n"
                + "  DEVELOPMENT MODE: no key is set (" + Setting.JWT_KEY.envName() + ", " + Setting.ISSUERS.envName()
                + ").\n"
                + "  Lifeline generated a key for this run only and lets anonymous subscribers in.\n"
                + listening
                + "  Never run it like this in production.\n\n"
                + (token == null ? "" : "  Token that may publish and subscribe to every topic:\n"
                + "    " + token + "\n\n")
                + (accessToken == null ? "" : "  " + (token == null ? "A" : "The same as a")
                + " Mercure 1.0 access token (typ at+jwt) that may publish and subscribe to every\n  topic, valid for "
                + DEVELOPMENT_ACCESS_TOKEN_LIFETIME.toHours() + " hours:\n"
                + "    " + accessToken + "\n\n")
                + "  See it: open " + url + " (the live view: who connects, who leaves and why;\n"
                + "  close a tab, or click \"Try the F5 case\")\n"
                + rule;
    }

    private static String usage() {
        StringBuilder sb = new StringBuilder("usage: java -jar lifeline-server.jar [flags]\n"
                + "       java -jar lifeline-server.jar token [flags]   prints a token signed with the configured key "
                + "(token --help)\n"
                + "       java -jar lifeline-server.jar probe URL       tells whether the SSE server at URL notices "
                + "a departure (probe --help)\n"
                + "       java -XX:AOTCacheOutput=lifeline.aot -jar lifeline-server.jar train   runs the warm-up for "
                + TRAINING.toSeconds() + " s and exits, the JVM\n"
                + "                                                     (release 25 or later) writing a cache a start "
                + "reads with -XX:AOTCache=lifeline.aot\n\n"
                + "Every flag is also an environment variable and a system property, e.g.\n"
                + "--jwt-key = LIFELINE_JWT_KEY = -Dlifeline.jwt.key. Flags win over system properties,\n"
                + "which win over the environment.\n\n");
        for (Setting s : Setting.values()) {
            sb.append(String.format("  %-22s %s%s%n", s.flagName() + " V", s.description(),
                    s.defaultValue() == null || s.defaultValue().isEmpty() ? "" : " (default " + s.defaultValue() + ")"));
        }
        return sb.toString();
    }

    /**
     * The bundled logging configuration ({@value #LOGGING}: one line per event on standard error, written by the
     * thread that logs it), unless the operator names one of their own with {@code -Dlogback.configurationFile}: a
     * file (a relative path is read from the working directory), a resource on the class path, or a URL. Set before
     * the first logger is created, which is when Logback reads it.
     *
     * @return why the program must not start, or null: a configuration that names nothing Logback can read (Logback
     *         would fall back to its own default, every logger at DEBUG on standard output), or one Logback reported
     *         errors for (it would then log nothing)
     */
    static String configureLogging() {
        String named = System.getProperty(LOGGING_PROPERTY);
        if (named == null) {
            System.setProperty(LOGGING_PROPERTY, LOGGING);
        } else if (!Files.isRegularFile(Path.of(named)) && Main.class.getClassLoader().getResource(named) == null
                && !isUrl(named)) {
            return "-D" + LOGGING_PROPERTY + "=" + named + " names no file, class-path resource or URL";
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback
                && new StatusUtil(logback).getHighestLevel(0) >= Status.ERROR) {
            return "the logging configuration " + System.getProperty(LOGGING_PROPERTY)
                    + " has errors (Logback's messages above)";
        }
        return null;
    }

    private static boolean isUrl(String value) {
        try {
            new URL(value);
            return true;
        } catch (MalformedURLException e) {
            return false;
        }
    }
}
