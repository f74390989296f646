package io.lifeline.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What the kernel says about a connection, through {@code ss} (iproute2). */
public final class Sockets {

    private Sockets() {
    }

    /**
     * The container's end of the connection from {@code clientPort}, while it is still open on its side
     * (established, or half-closed by the client and not by the container); empty once the container has closed it.
     */
    public static List<String> open(int serverPort, int clientPort) {
        return ss("-Htn", "state", "established", "state", "close-wait",
                "( sport = :" + serverPort + " and dport = :" + clientPort + " )");
    }

    /**
     * The server's end of the connection from {@code clientPort} in any state, each line starting with the state:
     * empty once the server has let go of it entirely. A connection closed with a FIN behind bytes the client never
     * takes lingers in {@code FIN-WAIT-1}; one aborted with an RST is gone at once.
     */
    public static List<String> serverSide(int serverPort, int clientPort) {
        return ss("-Htan", "( sport = :" + serverPort + " and dport = :" + clientPort + " )");
    }

    /**
     * The bytes the kernel holds in the server's send queue of the connection from {@code clientPort}, unsent and
     * unacknowledged ({@code ss}'s Send-Q); 0 once the server has let go of it.
     */
    public static long sendQueue(int serverPort, int clientPort) {
        List<String> lines = serverSide(serverPort, clientPort);
        if (lines.isEmpty()) {
            return 0;
        }
        return Long.parseLong(lines.get(0).trim().split("\\s+")[2]);
    }

    private static List<String> ss(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ss"));
        command.addAll(List.of(arguments));
        try {
            Process ss = new ProcessBuilder(command).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            ss.waitFor();
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        } catch (IOException e) {
            throw new IllegalStateException("ss (iproute2) is needed to see the server's sockets", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
