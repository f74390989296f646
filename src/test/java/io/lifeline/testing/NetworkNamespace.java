package io.lifeline.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client host of the test's own: a network namespace joined to this one by a veth pair, each end with an address
 * of a /30 that only the two share. A process started in it ({@link #start}) reaches the hub on
 * {@link #hostAddress()}; removing its address ({@link #removeClientAddress()}) makes it vanish without a FIN or an
 * RST: packets to it are dropped, and nothing it had open sends anything again. Needs root and iproute2 ({@code ip}),
 * as CI has; closing it deletes the namespace and, with it, the veth pair.
 */
public final class NetworkNamespace implements AutoCloseable {

    private static final AtomicInteger COUNT = new AtomicInteger();

    private final String name;
    private final String hostAddress;
    private final String clientAddress;
    private final String clientDevice;

    private NetworkNamespace(String name, String hostAddress, String clientAddress, String clientDevice) {
        this.name = name;
        this.hostAddress = hostAddress;
        this.clientAddress = clientAddress;
        this.clientDevice = clientDevice;
    }

    /**
     * Fails, with the reason, where namespaces cannot be made: these tests must run, never be skipped, in CI, which
     * runs as root.
     */
    public static void requireAvailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("network namespaces need root (CI runs as root); running as "
                    + System.getProperty("user.name") + ": this test needs a client host of its own");
        }
    }

    public static NetworkNamespace create() throws IOException {
        // Names and a /30 of 10.254.0.0/16 unique to this JVM and this namespace; device names stay within 15 chars.
        long pid = ProcessHandle.current().pid();
        int n = COUNT.incrementAndGet();
        String tag = pid % 100_000 + "x" + n;
        String name = "lifeline-" + tag;
        String hostDevice = "llh" + tag;
        String clientDevice = "llc" + tag;
        String prefix = "10.254." + pid % 250 + ".";
        int subnet = (n - 1) % 64 * 4;
        String host = prefix + (subnet + 1);
        String client = prefix + (subnet + 2);
        List<String[]> steps = new ArrayList<>();
        steps.add(new String[] {"ip", "netns", "add", name});
        steps.add(new String[] {"ip", "link", "add", hostDevice, "type", "veth", "peer", "name", clientDevice});
        steps.add(new String[] {"ip", "link", "set", clientDevice, "netns", name});
        steps.add(new String[] {"ip", "addr", "add", host + "/30", "dev", hostDevice});
        steps.add(new String[] {"ip", "link", "set", hostDevice, "up"});
        steps.add(new String[] {"ip", "netns", "exec", name, "ip", "addr", "add", client + "/30", "dev",
            clientDevice});
        steps.add(new String[] {"ip", "netns", "exec", name, "ip", "link", "set", clientDevice, "up"});
        steps.add(new String[] {"ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"});
        NetworkNamespace namespace = new NetworkNamespace(name, host, client, clientDevice);
        try {
            for (String[] step : steps) {
                Child.run(step);
            }
        } catch (RuntimeException e) {
            namespace.close();
            throw e;
        }
        return namespace;
    }

    /** This side's address, which the namespace reaches. */
    public String hostAddress() {
        return hostAddress;
    }

    /** Starts {@code command} inside the namespace. */
    public Child start(String name, List<String> command) throws IOException {
        List<String> inside = new ArrayList<>(List.of("ip", "netns", "exec", this.name));
        inside.addAll(command);
        return Child.start(name, inside);
    }

    /** The client host vanishes: its address goes, and nothing more arrives from it or is accepted by it. */
    public void removeClientAddress() throws IOException {
        Child.run("ip", "netns", "exec", name, "ip", "addr", "del", clientAddress + "/30", "dev", clientDevice);
    }

    @Override
    public void close() {
        try {
            Child.run("ip", "netns", "del", name);
        } catch (IOException | RuntimeException e) {
            System.err.println("network namespace " + name + " not deleted: " + e);
        }
    }
}
