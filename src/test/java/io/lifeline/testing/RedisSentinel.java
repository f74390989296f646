package io.lifeline.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Redis Sentinel (Debian's {@code redis-server --sentinel}) watching a {@link RedisServer} as master
 * {@code lifeline}, on a free loopback port, with a config file of its own (a sentinel rewrites it). Closing it
 * kills the process and deletes the directory.
 */
public final class RedisSentinel implements AutoCloseable {

    public static final String MASTER = "lifeline";

    private final Path dir;
    private final int port;
    private final Child process;

    private RedisSentinel(Path dir, int port, Child process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    public static RedisSentinel watching(RedisServer master) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path dir = Files.createTempDirectory("lifeline-sentinel");
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndir " + dir + "\n"
                + "sentinel monitor " + MASTER + " 127.0.0.1 " + master.port() + " 1\n"
                + "sentinel down-after-milliseconds " + MASTER + " 5000\n");
        Child process = Child.start("redis-sentinel", List.of("redis-server", conf.toString(), "--sentinel"));
        RedisSentinel sentinel = new RedisSentinel(dir, port, process);
        Poll.until(Duration.ofSeconds(15), "the sentinel to know its master:\n" + process.output(),
                sentinel::knowsMaster);
        return sentinel;
    }

    /** The URI a node gives Lettuce: {@code redis-sentinel://127.0.0.1:<port>/0#lifeline}. */
    public String uri() {
        return "redis-sentinel://127.0.0.1:" + port + "/0#" + MASTER;
    }

    private boolean knowsMaster() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write(("SENTINEL get-master-addr-by-name " + MASTER + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            byte[] answer = new byte[256];
            int n = s.getInputStream().read(answer);
            return n > 0 && new String(answer, 0, n, StandardCharsets.UTF_8).contains("127.0.0.1");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        process.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
