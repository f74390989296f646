package io.lifeline.http;

import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.watch.Watches;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Function;

/**
 * A request turned into an event stream: the async response, the subscriber that owns it, and the departure watch
 * prepared for its connection. Opening and running are two steps so that the subscriber can be added to its host
 * (the hub, or the live view) in between, before any byte is written.
 */
final class OpenedStream {

    private final Subscriber subscriber;
    private final ServletSseStream stream;
    private final Watches.Prepared watch;

    private OpenedStream(Subscriber subscriber, ServletSseStream stream, Watches.Prepared watch) {
        this.subscriber = subscriber;
        this.stream = stream;
        this.watch = watch;
    }

    /**
     * Starts the response as an event stream ({@link Responses#startEventStream}) without a timeout, creates its
     * subscriber, and prepares and attaches the departure watch. If anything fails, nothing is left behind: a
     * subscriber already created ends {@code internal-error}, else {@code notCreated} runs; then the failure is
     * thrown.
     */
    static OpenedStream open(HttpServletRequest request, HttpServletResponse response, Watches watches,
                             Function<ServletSseStream, Subscriber> create, Runnable notCreated) throws IOException {
        Subscriber subscriber = null;
        try {
            Responses.startEventStream(request, response);
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            ServletSseStream stream = new ServletSseStream(async);
            subscriber = create.apply(stream);
            Watches.Prepared watch = watches.prepare(request, subscriber);
            subscriber.attachWatch(watch.kind(), watch.handle());
            return new OpenedStream(subscriber, stream, watch);
        } catch (IOException | RuntimeException e) {
            if (subscriber == null) {
                notCreated.run();
            } else {
                subscriber.end(EndReason.INTERNAL_ERROR);
            }
            throw e;
        }
    }

    Subscriber subscriber() {
        return subscriber;
    }

    /**
     * Connects the stream to its subscriber and arms the watch, unless the subscriber has already ended (its host
     * was stopping): ending it completed the response.
     */
    void run() {
        if (subscriber.isEnded()) {
            return;
        }
        try {
            stream.start(subscriber, watch.handle());
            watch.handle().arm();
        } catch (RuntimeException e) {
            if (subscriber.end(EndReason.INTERNAL_ERROR)) {
                throw e;
            }
        }
    }
}
