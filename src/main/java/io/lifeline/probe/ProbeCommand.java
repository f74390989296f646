package io.lifeline.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The embedded program's {@code probe} command: {@code java -jar lifeline-server.jar probe URL} tells whether the
 * SSE server at URL notices a client that leaves, as a full-proxy load balancer or a lost client leaves it.
 *
 * <p>Standard output gets the report (a table, or JSON with {@code --json}); standard error gets progress and
 * errors. Exit status: {@value #EXIT_ALL_NOTICED} when every departure the probe played was noticed within
 * the window, {@value #EXIT_LEAKS} when one was not, {@value #EXIT_ERROR} when the probe could not judge (bad flags,
 * the URL unreachable, not an event stream).</p>
 */
public final class ProbeCommand {

    /** The command's name, the program's first argument. */
    public static final String NAME = "probe";
    /** Every departure noticed. */
    public static final int EXIT_ALL_NOTICED = 0;
    /** A departure not noticed within the window. */
    public static final int EXIT_LEAKS = 1;
    /** The probe could not judge. */
    public static final int EXIT_ERROR = 2;

    private ProbeCommand() {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code probe}
     * @param out  where the report goes (and the usage, for {@code --help})
     * @param err  where progress and errors go
     * @return the exit status
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        ProbeOptions options;
        try {
            options = ProbeOptions.parse(args);
        } catch (ProbeException e) {
            err.println("lifeline probe: " + e.getMessage());
            err.println("See: java -jar lifeline-server.jar probe --help");
            return EXIT_ERROR;
        }
        if (options.help()) {
            out.println(usage());
            return 0;
        }
        err.println("lifeline probe: probing " + options.url() + ": about " + Report.seconds(options.window())
                + ", at most " + Report.seconds(Probe.longest(options.window())) + "...");
        Report report;
        try {
            report = Probe.run(options);
        } catch (ProbeException | RuntimeException e) {
            String message = e instanceof ProbeException ? e.getMessage() : "the probe failed: " + e;
            err.println("lifeline probe: " + message);
            if (options.json()) {
                out.println(errorJson(options, message));
            }
            return EXIT_ERROR;
        }
        out.print(options.json() ? report.json() + "\n" : report.table());
        out.flush();
        return report.exitStatus();
    }

    private static String errorJson(ProbeOptions options, String message) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("url", options.url().toString());
        root.put("error", message);
        root.put("exit_status", EXIT_ERROR);
        try {
            return new ObjectMapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    static String usage() {
        return """
                usage: java -jar lifeline-server.jar probe URL [flags]

                Opens the SSE stream at URL as a client and plays the departures a client can make, each on a
                connection of its own: a FIN while reading on (what a full-proxy load balancer sends when its
                client leaves), a TLS close_notify (https), and on a Mercure hub given a token an RST, a close
                and an HTTP/2 RST_STREAM, seen through the hub's subscriptions API, then a stalled reader.
                Reports what the server did, and the stream's own behaviour (first byte, heartbeats, headers,
                HTTP/2, Last-Event-ID). Point it at the server itself: through a CDN, load balancer or TLS
                terminator, the verdict describes that proxy.

                  --header NAME:VALUE    a header line for every stream request (repeatable; -H for
                                         short), e.g. --header 'Authorization: Bearer ...'; it
                                         replaces a default of the same name (Host, Accept)
                  --window D             how long each departure is watched (default 20s; 1s to 10m);
                                         a run takes about one window, at most two plus 30 s
                  --json                 JSON on standard output instead of the table
                  --insecure             accept any TLS certificate (a self-signed test server)
                  --token JWT            Mercure hub: a token that may publish to any topic and read the
                                         subscriptions API (draft-07's, or a 1.0 access token); Lifeline's
                                         development tokens can
                  --publish-token JWT    Mercure hub: the publish token, where the keys differ
                  --subscribe-token JWT  Mercure hub: the token for the subscriptions API, where the keys differ
                  --no-stall             Mercure hub: leave out the stalled reader, which publishes 8 MiB to a
                                         topic of the probe's own (on a byte-bounded history, that pushes
                                         older updates out)

                Exit status: 0 every departure noticed within the window; 1 one was not; 2 the probe could not
                judge (bad flags, URL unreachable, not an event stream).""";
    }
}
