package io.lifeline.watch.jetty;

import jakarta.servlet.ServletRequest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.eclipse.jetty.server.Request;

/**
 * Reaches Jetty's core {@link Request} under a servlet request, in whichever servlet environment the web app runs:
 * ee10 (Servlet 6.0) or ee11 (Servlet 6.1). Each environment has its own {@code ServletContextRequest} class, so it
 * is looked up by name in the web app's class loader; the rest of the watch speaks Jetty's core API, the same in
 * both.
 */
final class JettyRequests {

    private static final String[] ENVIRONMENTS = {"ee10", "ee11"};

    private final String environment;
    private final MethodHandle servletContextRequest;
    private final MethodHandle servletChannel;
    private final MethodHandle abort;

    private JettyRequests(String environment, MethodHandle servletContextRequest, MethodHandle servletChannel,
                          MethodHandle abort) {
        this.environment = environment;
        this.servletContextRequest = servletContextRequest;
        this.servletChannel = servletChannel;
        this.abort = abort;
    }

    /** The first servlet environment visible from this class loader; throws if none is. */
    static JettyRequests find(ClassLoader loader) throws ReflectiveOperationException {
        ReflectiveOperationException last = null;
        for (String ee : ENVIRONMENTS) {
            try {
                Class<?> requestClass = Class.forName("org.eclipse.jetty." + ee + ".servlet.ServletContextRequest",
                        false, loader);
                Class<?> channelClass = Class.forName("org.eclipse.jetty." + ee + ".servlet.ServletChannel",
                        false, loader);
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                return new JettyRequests(ee,
                        lookup.findStatic(requestClass, "getServletContextRequest",
                                MethodType.methodType(requestClass, ServletRequest.class)),
                        lookup.findVirtual(requestClass, "getServletChannel", MethodType.methodType(channelClass)),
                        lookup.findVirtual(channelClass, "abort",
                                MethodType.methodType(void.class, Throwable.class)));
            } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
                last = e;
            }
        }
        throw last;
    }

    String environment() {
        return environment;
    }

    /** The core request under this servlet request, or null if it is not one of this environment's. */
    Request core(ServletRequest request) {
        try {
            return (Request) servletContextRequest.invoke(request);
        } catch (IllegalStateException notOurs) {
            return null;
        } catch (Throwable e) {
            throw new IllegalStateException("Jetty's ServletContextRequest could not be reached", e);
        }
    }

    /** Fails the request's stream: an HTTP/2 stream is reset, an HTTP/1 connection closed. */
    void abort(Request core, Throwable cause) {
        try {
            abort.invoke(servletChannel.invoke(core), cause);
        } catch (Throwable e) {
            throw new IllegalStateException("Jetty's ServletChannel could not be aborted", e);
        }
    }
}
