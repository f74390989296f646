package io.lifeline.watch.servlet;

import io.lifeline.watch.DepartureListener;
import io.lifeline.watch.Watches;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request through the {@link DepartureFilter}: its wrapped request and response, its async context, and the
 * watch on its connection.
 *
 * <p>States: {@code IDLE} (not watched yet: not async, or not an event stream), {@code WATCHING} (armed),
 * {@code STOPPED} (the application or the container finished the response, or handed it back with a dispatch; the
 * watch is cancelled and never armed again) and {@code DEPARTED} (the client left; the watch is cancelled). Each move
 * out of {@code IDLE} or {@code WATCHING} is one compare-and-set, so a departure is reported at most once, and never
 * after the application completed the response.</p>
 */
final class WatchedExchange implements DepartureListener {

    private static final Logger LOG = LoggerFactory.getLogger(WatchedExchange.class);

    private static final int IDLE = 0;
    private static final int WATCHING = 1;
    private static final int STOPPED = 2;
    private static final int DEPARTED = 3;

    private final HttpServletRequest original;
    private final HttpServletResponse originalResponse;
    private final Watches watches;
    private final DepartureFilter filter;
    private final Request request;
    private final Response response;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    /** Whether the application completed or dispatched the response itself. */
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Context context;
    private volatile boolean eventStream;
    private volatile Watches.Prepared watch;
    /** How the client left, once it did. */
    private volatile Departure departure;
    /** The dispatch that went through the filter is still running: the telling waits for it to return. */
    private volatile boolean dispatching = true;
    private final AtomicBoolean told = new AtomicBoolean();
    /** The container is telling the listeners of a failure itself: a departure it stands for is not told again. */
    private volatile boolean containerTells;

    private record Registered(AsyncListener listener, ServletRequest request, ServletResponse response) {
    }

    WatchedExchange(HttpServletRequest original, HttpServletResponse originalResponse, Watches watches,
                    DepartureFilter filter) {
        this.original = original;
        this.originalResponse = originalResponse;
        this.watches = watches;
        this.filter = filter;
        this.request = new Request(original);
        this.response = new Response(originalResponse);
    }

    HttpServletRequest request() {
        return request;
    }

    HttpServletResponse response() {
        return response;
    }

    /** Stops watching for good: the response is finishing or handed back to the container. */
    void stop() {
        int was = state.getAndUpdate(s -> s == DEPARTED ? DEPARTED : STOPPED);
        if (was == WATCHING) {
            watch.handle().cancel();
        }
    }

    /** Arms the watch once the response is both async and an event stream; does nothing otherwise or later. */
    private void watchIfStreaming() {
        Context async = context;
        if (async == null || !eventStream || state.get() != IDLE) {
            return;
        }
        synchronized (this) {
            if (state.get() != IDLE) {
                return;
            }
            if (http1() && originalResponse.isCommitted() && !"close".equalsIgnoreCase(
                    originalResponse.getHeader("Connection"))) {
                state.compareAndSet(IDLE, STOPPED);
                filter.counts().countCommittedWithoutClose();
                LOG.debug("an event stream committed without Connection: close is not watched: {}",
                        original.getRequestURI());
                return;
            }
            Watches.Prepared prepared = watches.prepare(original, this);
            if (!prepared.handle().watches()) {
                state.compareAndSet(IDLE, STOPPED);
                filter.unwatched(original.getProtocol() + (original.isSecure() ? " over TLS" : ""),
                        "watch " + prepared.kind());
                return;
            }
            watch = prepared;
            if (!state.compareAndSet(IDLE, WATCHING)) {
                prepared.handle().cancel(); // finished meanwhile: the watch is never armed
                return;
            }
            // A stop() from here on cancels it; arming after a cancel does nothing (DepartureWatch.Handle#arm).
            prepared.handle().arm();
        }
    }

    private boolean http1() {
        return original.getProtocol().startsWith("HTTP/1.");
    }

    /** Marks the response an event stream when its content type says so, and closes its HTTP/1.x connection after. */
    private void contentType(String type) {
        if (type == null || !type.trim().toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
            return;
        }
        if (http1() && !originalResponse.isCommitted()) {
            originalResponse.setHeader("Connection", "close");
        }
        eventStream = true;
        watchIfStreaming();
    }

    private void depart(Departure departure) {
        if (!state.compareAndSet(WATCHING, DEPARTED)) {
            return;
        }
        watch.handle().cancel();
        original.setAttribute(DepartureFilter.DEPARTURE_ATTRIBUTE, departure);
        filter.counts().countDeparture(departure);
        if (containerTells) {
            return; // the container is telling the application's listeners of it now
        }
        this.departure = departure;
        tellOnceDispatchReturned();
    }

    /** The dispatch that went through the filter has returned to the container. */
    void dispatchReturned() {
        dispatching = false;
        tellOnceDispatchReturned();
    }

    /**
     * Hands the telling to a container thread, once the client left and the dispatch that started the async cycle
     * has returned: a framework registers its own callbacks after {@code startAsync}, before that dispatch returns
     * (Spring MVC's emitter does), and Jetty runs {@code AsyncContext.start} at once, where Tomcat waits for the
     * dispatch to return.
     */
    private void tellOnceDispatchReturned() {
        Departure left = departure;
        if (left == null || dispatching || !told.compareAndSet(false, true)) {
            return;
        }
        Context async = context;
        try {
            async.real.start(() -> tell(async, left));
        } catch (IllegalStateException finishing) {
            // the response completed meanwhile: nobody is left to tell
        }
    }

    /** On a container thread: the application's listeners learn of the departure, then the response completes. */
    private void tell(Context async, Departure departure) {
        Throwable error = filter.departureError(departure);
        for (Registered r : async.listeners) {
            try {
                r.listener().onError(new AsyncEvent(async, r.request(), r.response(), error));
            } catch (IOException | RuntimeException e) {
                LOG.warn("an AsyncListener failed on the departure of its client ({}): {}", departure, e.toString());
            }
        }
        if (finished.compareAndSet(false, true)) {
            try {
                async.real.complete();
            } catch (IllegalStateException alreadyFinished) {
                // the container finished it meanwhile
            }
        }
    }

    @Override
    public void onInputEnded(long detectedNanos) {
        depart(Departure.CLIENT_LEFT);
    }

    @Override
    public void onClosed(long detectedNanos) {
        depart(Departure.CLIENT_CLOSED);
    }

    @Override
    public void onReset(long detectedNanos) {
        depart(Departure.CLIENT_RESET);
    }

    @Override
    public void onTimedOut(long detectedNanos) {
        depart(Departure.CLIENT_TIMEOUT);
    }

    @Override
    public void onStoppedReading(long detectedNanos) {
        depart(Departure.STOPPED_READING);
    }

    private Context started(AsyncContext real) {
        Context async = context;
        if (async == null || async.real != real) {
            async = new Context(real);
            // ours first, so that the watch is cancelled before any other listener or the container finishes
            real.addListener(new Stopper());
            context = async;
        }
        watchIfStreaming();
        return async;
    }

    /** The request as the application sees it: its async context is the watched one. */
    private final class Request extends HttpServletRequestWrapper {
        Request(HttpServletRequest request) {
            super(request);
        }

        @Override
        public AsyncContext startAsync() {
            return started(super.startAsync(this, response));
        }

        @Override
        public AsyncContext startAsync(ServletRequest req, ServletResponse res) {
            return started(super.startAsync(req, res));
        }

        @Override
        public AsyncContext getAsyncContext() {
            AsyncContext real = super.getAsyncContext();
            Context async = context;
            return async != null && async.real == real ? async : real;
        }
    }

    /** The response as the application sees it: its content type tells whether it is an event stream. */
    private final class Response extends HttpServletResponseWrapper {
        Response(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setContentType(String type) {
            super.setContentType(type);
            contentType(type);
        }

        @Override
        public void setHeader(String name, String value) {
            super.setHeader(name, value);
            if ("Content-Type".equalsIgnoreCase(name)) {
                contentType(value);
            }
        }

        @Override
        public void addHeader(String name, String value) {
            super.addHeader(name, value);
            if ("Content-Type".equalsIgnoreCase(name)) {
                contentType(value);
            }
        }
    }

    /** The first listener on the real context: whatever finishes the response stops the watch first. */
    private final class Stopper implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            stop();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            stop();
        }

        /**
         * The container tells the listeners of a failure itself (Jetty does for an HTTP/2 stream reset or dropped
         * connection, before its failure listeners): where the watch knows the failure for a departure, its reason
         * is recorded and counted before the application's listeners hear of it, and they hear of it once, from the
         * container.
         */
        @Override
        public void onError(AsyncEvent event) {
            if (state.get() == WATCHING) {
                containerTells = true;
                watch.handle().explain(event.getThrowable());
            }
            stop();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // a new cycle of the same request: its context comes through startAsync again
        }
    }

    /** The async context the application holds: finishing it stops the watch first. */
    private final class Context implements AsyncContext {
        private final AsyncContext real;
        /** The application's listeners, as it added them here, with their request and response. */
        private final List<Registered> listeners = new CopyOnWriteArrayList<>();

        Context(AsyncContext real) {
            this.real = real;
        }

        @Override
        public ServletRequest getRequest() {
            return real.getRequest();
        }

        @Override
        public ServletResponse getResponse() {
            return real.getResponse();
        }

        @Override
        public boolean hasOriginalRequestAndResponse() {
            return real.hasOriginalRequestAndResponse();
        }

        @Override
        public void dispatch() {
            finish();
            real.dispatch();
        }

        @Override
        public void dispatch(String path) {
            finish();
            real.dispatch(path);
        }

        @Override
        public void dispatch(ServletContext context, String path) {
            finish();
            real.dispatch(context, path);
        }

        @Override
        public void complete() {
            finish();
            real.complete();
        }

        private void finish() {
            stop();
            finished.set(true);
        }

        @Override
        public void start(Runnable run) {
            real.start(run);
        }

        @Override
        public void addListener(AsyncListener listener) {
            listeners.add(new Registered(listener, real.getRequest(), real.getResponse()));
            real.addListener(listener);
        }

        @Override
        public void addListener(AsyncListener listener, ServletRequest req, ServletResponse res) {
            listeners.add(new Registered(listener, req, res));
            real.addListener(listener, req, res);
        }

        @Override
        public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
            return real.createListener(type);
        }

        @Override
        public void setTimeout(long millis) {
            real.setTimeout(millis);
        }

        @Override
        public long getTimeout() {
            return real.getTimeout();
        }
    }
}
