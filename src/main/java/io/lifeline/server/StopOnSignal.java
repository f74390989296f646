package io.lifeline.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The embedded program's stop on {@code SIGTERM} or {@code SIGINT}, in place before the server starts, while it
 * starts and while it runs, so that a stop at any moment exits 0 once it has stopped cleanly.
 *
 * <p>The JVM answers both signals by running its shutdown hooks, then exits with 128 plus the signal's number (143,
 * 130) however cleanly the program stopped, and service managers count that as a failure. So the hook ends the JVM
 * itself ({@link Runtime#halt}) with 0 after a clean stop, or {@link Main#EXIT_STOP_FAILED}. It runs on
 * {@link System#exit} too: an exit the program decides ({@link #exit}, a start that failed, bad configuration) keeps
 * its own status, and the hook stands aside.</p>
 *
 * <p>Orchestrators stop programs during start-up (a rollout cancelled, a readiness probe that failed). A stop that
 * arrives while the server starts interrupts the start, which may be waiting on a network (a Redis that does not
 * answer), and waits for it to unwind for at most {@link #START_WAIT}; then it stops whatever started. Once a stop has
 * begun, the program prints no readiness line ({@link #unlessStopping}).</p>
 */
final class StopOnSignal {

    /** How long a stop waits for a start in progress to unwind, after interrupting it. */
    static final Duration START_WAIT = Duration.ofSeconds(10);

    private final Object lock = new Object();
    /** The thread starting the server, while it does; guarded by {@link #lock}. */
    private Thread starter;
    /** The server once started; guarded by {@link #lock}. */
    private EmbeddedServer server;
    /** A stop has begun; guarded by {@link #lock}. */
    private boolean stopping;
    /** Set when the program exits by itself, with the status it chose: the hook stands aside. */
    private volatile boolean exiting;

    private StopOnSignal() {
    }

    /** Adds the shutdown hook: from now on a signal stops the program cleanly. */
    static StopOnSignal install() {
        StopOnSignal stop = new StopOnSignal();
        Runtime.getRuntime().addShutdownHook(new Thread(stop::stop, "lifeline-shutdown"));
        return stop;
    }

    /** The calling thread starts the server now; a stop meanwhile interrupts it. */
    void starting() {
        synchronized (lock) {
            starter = Thread.currentThread();
        }
    }

    /**
     * The server has started. Returns false when a stop began meanwhile: the stop then stops the server, and the
     * program must print nothing more and not exit by itself.
     */
    boolean started(EmbeddedServer started) {
        synchronized (lock) {
            starter = null;
            server = started;
            lock.notifyAll();
            return !stopping;
        }
    }

    /**
     * The start failed. Returns true when a stop had begun, which then exits 0: the failure is the stop's doing (the
     * interrupted start), or moot. The program must then not exit by itself.
     */
    boolean startFailed() {
        synchronized (lock) {
            starter = null;
            lock.notifyAll();
            boolean stopped = stopping;
            Thread.interrupted(); // the stop's interrupt, if it came after the start had failed by itself
            return stopped;
        }
    }

    /**
     * Runs {@code print} unless a stop has begun, holding off a stop that begins meanwhile until it has run. Returns
     * whether it ran.
     */
    boolean unlessStopping(Runnable print) {
        synchronized (lock) {
            if (stopping) {
                return false;
            }
            print.run();
            return true;
        }
    }

    /** Exits with the program's own status ({@link System#exit}), its log written first: the hook lets it. */
    void exit(int status) {
        exiting = true;
        Main.flushLog();
        System.exit(status);
    }

    /**
     * The hook: interrupts a start in progress and waits for it, stops the server (drains the hub, stops Jetty),
     * flushes what was printed, and ends the JVM with 0, or {@link Main#EXIT_STOP_FAILED} when the stop did not
     * complete.
     */
    private void stop() {
        if (exiting) {
            return;
        }
        EmbeddedServer toStop;
        synchronized (lock) {
            stopping = true;
            if (starter != null) {
                LoggerFactory.getLogger(Main.class).info("stopping during start-up: the start is interrupted, and "
                        + "no readiness line follows");
                starter.interrupt();
                long deadline = System.nanoTime() + START_WAIT.toNanos();
                long left;
                while (starter != null && (left = deadline - System.nanoTime()) > 0) {
                    try {
                        lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                if (starter != null) {
                    halt(Main.EXIT_STOP_FAILED, "the start in progress did not end within " + START_WAIT.toSeconds()
                            + " s of the stop");
                    return;
                }
            }
            toStop = server;
        }
        int status = 0;
        String problem = null;
        if (toStop != null) {
            try {
                toStop.close();
            } catch (RuntimeException e) {
                status = Main.EXIT_STOP_FAILED;
                problem = "the stop did not complete cleanly: " + e;
            }
        }
        halt(status, problem);
    }

    private static void halt(int status, String problem) {
        Main.flushLog();
        if (problem != null) {
            System.err.println("lifeline: " + problem);
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }
}
