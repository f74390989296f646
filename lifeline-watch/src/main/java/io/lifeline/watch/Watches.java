package io.lifeline.watch;

import io.lifeline.tcp.TcpSockets;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;

/**
 * The departure watches this container offers, tried in order for each request, with {@link NoWatch} last.
 *
 * <p>Container watches are loaded by name: each links against its container's internal classes, so it loads only
 * where those classes are present and visible to the web app. One that cannot load is reported at start-up, by its
 * kind and a plain reason (another container; its container hides the classes it reads; a version whose internals it
 * does not know), and its connections fall back to heartbeats.</p>
 */
public final class Watches {

    /**
     * A container watch: its kind (the watch's own {@code KIND}, written out here so that this package does not
     * import the container packages, which import it; {@code WatchesTest} checks they agree), its class, and the
     * container whose internals it reads, with the package prefix of that container's own classes.
     */
    private record Candidate(String kind, String className, String container, String containerPackage) {
    }

    /** Lifeline's container watches; each declines the requests it cannot see. */
    private static final List<Candidate> CONTAINER_WATCHES = List.of(
            new Candidate("jetty-http1", "io.lifeline.watch.jetty.JettyHttp1Watch", "Jetty",
                    "org.eclipse.jetty."),
            new Candidate("jetty-http2", "io.lifeline.watch.jetty.JettyHttp2Watch", "Jetty",
                    "org.eclipse.jetty."),
            new Candidate("tomcat-nio", "io.lifeline.watch.tomcat.TomcatNioWatch", "Tomcat",
                    "org.apache."));

    /** Lifeline's container stop hooks; the one whose container is there installs. */
    private static final List<String> STOP_HOOKS = List.of(
            "io.lifeline.watch.jetty.JettyStopHook",
            "io.lifeline.watch.tomcat.TomcatStopHook");

    /** The kinds of the container watches, in the order they are tried. */
    static List<String> containerKinds() {
        return CONTAINER_WATCHES.stream().map(Candidate::kind).toList();
    }

    /** A watch prepared for one request. */
    public record Prepared(String kind, DepartureWatch.Handle handle) {
    }

    private final List<DepartureWatch> watches;
    private final Map<String, String> unavailable;
    private final boolean watching;
    private final DepartureWatch fallback = new NoWatch();

    private Watches(List<DepartureWatch> watches, Map<String, String> unavailable, boolean watching) {
        this.watches = List.copyOf(watches);
        this.unavailable = Collections.unmodifiableMap(new LinkedHashMap<>(unavailable));
        this.watching = watching;
    }

    /**
     * @param watching false to watch nothing and rely on heartbeats alone; the container's handles still set the
     *                 socket options and abort connections
     * @param tcp      what the watches do to each subscriber's socket where they reach it
     */
    public static Watches detect(boolean watching, TcpSockets tcp) {
        List<DepartureWatch> found = new ArrayList<>();
        Map<String, String> missing = new LinkedHashMap<>();
        ClassLoader loader = Watches.class.getClassLoader();
        for (Candidate candidate : CONTAINER_WATCHES) {
            try {
                found.add((DepartureWatch) Class.forName(candidate.className(), true, loader)
                        .getConstructor(TcpSockets.class).newInstance(tcp));
            } catch (ReflectiveOperationException | LinkageError e) {
                missing.put(candidate.kind(), whyNot(candidate, e, loader));
            }
        }
        return new Watches(found, watching ? missing : Map.of(), watching);
    }

    /**
     * Why a container watch could not load, in words for the start-up line. A missing class is the usual case and no
     * error: the web app runs in another container (or none), or in this watch's container with its classes hidden
     * from web apps. Anything else means a version of the container whose internals the watch does not know.
     */
    private static String whyNot(Candidate candidate, Throwable failure, ClassLoader loader) {
        boolean classMissing = false;
        Throwable deepest = failure;
        for (Throwable t = failure; t != null && !classMissing; t = t.getCause()) {
            deepest = t;
            classMissing = t instanceof ClassNotFoundException || t instanceof NoClassDefFoundError;
        }
        if (!classMissing) {
            return "a " + candidate.container() + " whose internals this watch does not know ("
                    + deepest.getClass().getSimpleName() + ": " + deepest.getMessage() + ")";
        }
        boolean inThatContainer = loader != null
                && loader.getClass().getName().startsWith(candidate.containerPackage());
        return inThatContainer
                ? candidate.container() + " hides from the web app the classes this watch reads (the web app's "
                        + "context must make them visible)"
                : "not running in " + candidate.container();
    }

    /**
     * The first watch that sees this request's connection; else the fallback's kind with a container handle that can
     * at least abort the connection, where one exists; else the fallback.
     */
    public Prepared prepare(HttpServletRequest request, DepartureListener listener) {
        DepartureWatch.Handle abortOnly = null;
        for (DepartureWatch watch : watches) {
            DepartureWatch.Handle handle = watch.prepare(request, listener);
            if (handle != null && handle.watches() && watching) {
                return new Prepared(watch.kind(), handle);
            }
            if (abortOnly == null) {
                abortOnly = handle;
            }
        }
        // A container's handle used only to abort is never armed, so it never watches.
        return new Prepared(fallback.kind(), abortOnly != null ? DepartureWatch.Handle.abortOnly(abortOnly)
                : fallback.prepare(request, listener));
    }

    /**
     * The percent-encoded characters the container refuses in this request's path, as the first watch that can tell
     * says ({@link EncodedPaths}); empty where none can.
     */
    public Map<String, String> refusedInPaths(HttpServletRequest request) {
        for (DepartureWatch watch : watches) {
            if (watch instanceof EncodedPaths paths) {
                Map<String, String> refused = paths.refusedInPaths(request);
                if (!refused.isEmpty()) {
                    return refused;
                }
            }
        }
        return Map.of();
    }

    /**
     * Whether some container watch loaded here, and so reaches its connections' sockets to set Lifeline's options
     * on them (also when asked to watch nothing).
     */
    public boolean reachesSockets() {
        return !watches.isEmpty();
    }

    /** Every kind a subscriber may be watched by here, the fallback included. */
    public List<String> kinds() {
        List<String> kinds = new ArrayList<>();
        if (watching) {
            watches.forEach(w -> kinds.add(w.kind()));
        }
        kinds.add(fallback.kind());
        return kinds;
    }

    /**
     * Installs the stop hook of this container, if there is one: {@code drain} then runs when the container starts
     * stopping, while its connections are open. Returns the hook's name (for the start-up line) and what removes it,
     * or null where no hook applies; a hook that fails to install is passed over, never fatal.
     */
    public static Map.Entry<String, AutoCloseable> installStopHook(ServletContext context, Runnable drain) {
        for (String name : STOP_HOOKS) {
            try {
                StopHook hook = (StopHook) Class.forName(name, true, Watches.class.getClassLoader())
                        .getConstructor().newInstance();
                return Map.entry(name.substring(name.lastIndexOf('.') + 1), hook.install(context, drain));
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // not this container, or not a version whose internals the hook knows
            }
        }
        return null;
    }

    /** Stops every watch; the web app is stopping. */
    public void close() {
        watches.forEach(DepartureWatch::close);
    }

    /** Container watches that could not load here, with the reason. */
    public Map<String, String> unavailable() {
        return unavailable;
    }
}
