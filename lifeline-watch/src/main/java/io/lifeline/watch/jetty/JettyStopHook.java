package io.lifeline.watch.jetty;

import io.lifeline.watch.StopHook;
import jakarta.servlet.ServletContext;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.component.Graceful;

/**
 * Jetty 12 (ee10 or ee11): a {@link Graceful} bean on the server. When the server stops with a stop timeout, it asks
 * every graceful component to shut down and waits (up to that timeout) before it closes connections; the drain runs
 * then.
 */
public final class JettyStopHook implements StopHook {

    @Override
    public AutoCloseable install(ServletContext context, Runnable drain) throws ReflectiveOperationException {
        String environment = JettyRequests.find(JettyStopHook.class.getClassLoader()).environment();
        Class<?> handlerClass = Class.forName("org.eclipse.jetty." + environment + ".servlet.ServletContextHandler",
                false, JettyStopHook.class.getClassLoader());
        Object handler = handlerClass.getMethod("getServletContextHandler", ServletContext.class)
                .invoke(null, context);
        Server server = ((ContextHandler) handler).getServer();
        Graceful graceful = new Graceful() {
            private volatile CompletableFuture<Void> shutdown;

            @Override
            public synchronized CompletableFuture<Void> shutdown() {
                if (shutdown == null) {
                    shutdown = Graceful.shutdown(drain::run);
                }
                return shutdown;
            }

            @Override
            public boolean isShutdown() {
                return shutdown != null;
            }
        };
        server.addBean(graceful);
        return () -> server.removeBean(graceful);
    }
}
