package io.lifeline.spring.sample;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * An application as its authors write one: an {@code SseEmitter} per client, kept in a map and removed in
 * {@code onCompletion} and {@code onError}, a heartbeat to every client each second. It knows nothing of Lifeline.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class EmittersApplication {

    /** What the application saw of one client's emitter. */
    public static final class Seen {
        /** The first error the emitter's onError received. */
        public volatile Throwable error;
        /** Every error it received, in order. */
        public final java.util.List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        public volatile long errorNanos;
        public volatile long completedNanos;
    }

    @Bean
    Emitters emitters() {
        return new Emitters();
    }

    /** The application's own bookkeeping: its map of emitters, and what each one saw. */
    public static final class Emitters implements AutoCloseable {
        public final Map<Integer, SseEmitter> open = new ConcurrentHashMap<>();
        public final Map<Integer, Seen> seen = new ConcurrentHashMap<>();
        public final AtomicInteger heartbeatsFailed = new AtomicInteger();
        private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();

        Emitters() {
            heartbeats.scheduleAtFixedRate(this::beat, 1, 1, TimeUnit.SECONDS);
        }

        private void beat() {
            open.forEach((client, emitter) -> {
                try {
                    emitter.send(SseEmitter.event().comment("heartbeat"));
                } catch (IOException | IllegalStateException e) {
                    heartbeatsFailed.incrementAndGet();
                    open.remove(client);
                }
            });
        }

        @Override
        public void close() {
            heartbeats.shutdownNow();
        }
    }

    @RestController
    static class EventsController {
        private final Emitters emitters;

        EventsController(Emitters emitters) {
            this.emitters = emitters;
        }

        /** A stream per client, its timeout off; {@code complete} ends it at once, as an application may. */
        @GetMapping("/events")
        SseEmitter events(@RequestParam(name = "complete", required = false) String complete,
                          jakarta.servlet.http.HttpServletRequest request) throws IOException {
            int client = request.getRemotePort();
            SseEmitter emitter = new SseEmitter(0L);
            Seen seen = new Seen();
            emitters.seen.put(client, seen);
            emitter.onCompletion(() -> {
                seen.completedNanos = System.nanoTime();
                emitters.open.remove(client);
            });
            emitter.onError(e -> {
                seen.errors.add(e);
                if (seen.error != null) {
                    return;
                }
                seen.errorNanos = System.nanoTime();
                seen.error = e;
                emitters.open.remove(client);
            });
            emitters.open.put(client, emitter);
            emitter.send(SseEmitter.event().name("hello").data("welcome"));
            if (complete != null) {
                emitter.complete();
            }
            return emitter;
        }

        @GetMapping("/plain")
        String plain() {
            return "ok";
        }
    }
}
