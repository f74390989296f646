package io.lifeline.http;

import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.SseStream;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.watch.DepartureWatch;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscriber's response as an async servlet response in non-blocking mode, and the container's events about it
 * passed on to the subscriber.
 */
final class ServletSseStream implements SseStream, WriteListener, AsyncListener {

    private static final Logger LOG = LoggerFactory.getLogger(ServletSseStream.class);

    private final AsyncContext async;
    private final ServletOutputStream out;
    private Subscriber subscriber;
    private DepartureWatch.Handle watch;

    ServletSseStream(AsyncContext async) throws IOException {
        this.async = async;
        this.out = async.getResponse().getOutputStream();
    }

    /**
     * Connects the stream to its subscriber and the watch that can abort its connection, then switches the response
     * to non-blocking writes: the container answers with {@code onWritePossible}, which writes the headers and the
     * opening comment.
     */
    void start(Subscriber subscriber, DepartureWatch.Handle watch) {
        this.subscriber = subscriber;
        this.watch = watch;
        async.addListener(this);
        out.setWriteListener(this);
    }

    @Override
    public boolean isReady() {
        return out.isReady();
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void complete() {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // Containers may refuse a late complete() after an I/O error and complete the request themselves.
            LOG.debug("container refused complete() for {}: {}", subscriber, e.toString());
        }
    }

    @Override
    public void abort() {
        DepartureWatch.Handle w = watch;
        if (w != null) {
            w.abort();
        }
        complete();
    }

    // WriteListener

    @Override
    public void onWritePossible() {
        subscriber.onWritable();
    }

    @Override
    public void onError(Throwable failure) {
        subscriber.onWriteFailed(failure);
    }

    // AsyncListener

    @Override
    public void onComplete(AsyncEvent event) {
        if (subscriber.end(EndReason.INTERNAL_ERROR)) {
            LOG.warn("the container completed subscriber {}'s response by itself", subscriber.id());
        }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        subscriber.end(EndReason.TIMEOUT);
    }

    @Override
    public void onError(AsyncEvent event) {
        subscriber.onWriteFailed(event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not re-dispatched
    }
}
