package io.lifeline.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A {@link LoadClient} in a process of its own, for a benchmark that needs more connections than one process may
 * hold: {@code ClusterLoadAgent <port> <subscribers> <path with one %d> <m>}, the {@code %d} of subscriber {@code i}
 * being {@code i % m}. It connects, prints
 * {@code connected=N failed=N refused=N seconds=S}, then answers commands read from standard input, one line each,
 * each answer starting with the command: {@code gaps-on}, {@code gaps} (heartbeat gaps, ms: p50, p99, max, count),
 * {@code events} (events received, and when the last arrived, {@link System#nanoTime()}, comparable between processes
 * on Linux), {@code quit}.
 */
public final class ClusterLoadAgent {

    private ClusterLoadAgent() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        String path = args[2];
        int modulus = Integer.parseInt(args[3]);
        try (LoadClient client = new LoadClient(new InetSocketAddress("127.0.0.1", port))) {
            long start = System.nanoTime();
            client.open(n, i -> String.format(Locale.ROOT, path, i % modulus), "", 256, start + 600_000_000_000L);
            System.out.printf(Locale.ROOT, "connected=%d failed=%d refused=%d seconds=%.3f%n", client.connected.get(),
                    client.failed.get(), client.refused.get(), (System.nanoTime() - start) / 1e9);
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String command = in.readLine(); command != null; command = in.readLine()) {
                switch (command.trim()) {
                    case "gaps-on" -> {
                        client.heartbeatGaps.reset();
                        client.recordGaps = true;
                        System.out.println("gaps-on");
                    }
                    case "gaps" -> System.out.printf(Locale.ROOT, "gaps p50=%.1f p99=%.1f max=%.1f count=%d%n",
                            client.heartbeatGaps.percentileMillis(50), client.heartbeatGaps.percentileMillis(99),
                            client.heartbeatGaps.percentileMillis(100), client.heartbeatGaps.count());
                    case "events" -> System.out.printf(Locale.ROOT, "events=%d last=%d connected=%d closed=%d%n",
                            client.events.get(), client.lastEventNanos.get(), client.open.get(),
                            client.closedByServer.get());
                    case "quit" -> {
                        client.closeAll();
                        System.out.println("quit");
                        System.out.flush();
                        return;
                    }
                    default -> System.out.println("unknown " + command);
                }
                System.out.flush();
            }
        }
    }
}
