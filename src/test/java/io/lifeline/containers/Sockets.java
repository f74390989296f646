package io.lifeline.containers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What the kernel says about a connection, through {@code ss} (iproute2). */
final class Sockets {

    private Sockets() {
    }

    /**
     * The container's end of the connection from {@code clientPort}, while it is still open on its side
     * (established, or half-closed by the client and not by the container); empty once the container has closed it.
     */
    static List<String> open(int serverPort, int clientPort) {
        try {
            Process ss = new ProcessBuilder("ss", "-Htn", "state", "established", "state", "close-wait",
                    "( sport = :" + serverPort + " and dport = :" + clientPort + " )").start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            ss.waitFor();
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        } catch (IOException e) {
            throw new IllegalStateException("ss (iproute2) is needed to see the container's sockets", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
