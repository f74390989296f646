package io.lifeline.watch.tomcat;

import io.lifeline.tcp.TcpSockets;
import io.lifeline.watch.DepartureListener;
import io.lifeline.watch.DepartureWatch;
import io.lifeline.watch.EncodedPaths;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tomcat 10.1 and 11, NIO connector, plain HTTP/1.1: watches the connection's socket channel on a selector of
 * Lifeline's own.
 *
 * <p>Tomcat tells an async servlet nothing about a client's FIN, and about an RST only when a write fails. This
 * watch reaches, through Tomcat's internals (not a supported API), the {@link SocketChannel} under the request:
 * {@code RequestFacade} → catalina {@code Request} → coyote {@code Request} → its {@code Http11Processor} → the
 * socket wrapper → the {@code NioChannel} → the channel. It registers the channel for reading on
 * {@link TomcatSelector}: a read of -1 is a FIN, "connection reset" an RST.</p>
 *
 * <p>Never over TLS: a {@code SecureNioChannel} carries encrypted bytes, and a raw read would corrupt the stream.
 * Such a connection gets a handle that does not watch (its subscriber falls back to heartbeats and the maximum
 * lifetime) but still sets the TCP user timeout and aborts with an RST. Never for HTTP/2, whose streams share a
 * connection, which Tomcat reads itself and whose resets and ends it reports to the servlet: there too the connection
 * gets the TCP user timeout, and an abort resets the one stream. The raw read bypasses Tomcat's input buffer, one
 * more reason every stream is its connection's only request.</p>
 */
public final class TomcatNioWatch implements DepartureWatch, EncodedPaths {

    public static final String KIND = "tomcat-nio";


    private final Class<?> requestFacade;
    private final Field facadeRequest;
    private final Method coyoteRequest;
    private final Field processorHook;
    private final Class<?> http11Processor;
    private final Method action;
    private final Object closeNow;
    private final Method socketWrapper;
    private final Method socket;
    private final Method closeSocket;
    private final Class<?> plainChannel;
    private final Method ioChannel;
    private final Method connector;
    private final Method encodedSolidusHandling;
    /** Null in a Tomcat older than the attribute (10.1.34, 11.0.3). */
    private final Method encodedReverseSolidusHandling;
    private final TomcatSelector selector;
    private final TcpSockets tcp;

    /** @throws ReflectiveOperationException where Tomcat's classes are absent or not what this watch expects */
    public TomcatNioWatch(TcpSockets tcp) throws ReflectiveOperationException {
        this.tcp = tcp;
        this.selector = new TomcatSelector(tcp);
        ClassLoader loader = TomcatNioWatch.class.getClassLoader();
        requestFacade = Class.forName("org.apache.catalina.connector.RequestFacade", false, loader);
        facadeRequest = accessible(requestFacade.getDeclaredField("request"));
        Class<?> catalinaRequest = Class.forName("org.apache.catalina.connector.Request", false, loader);
        coyoteRequest = catalinaRequest.getMethod("getCoyoteRequest");
        connector = catalinaRequest.getMethod("getConnector");
        encodedSolidusHandling = connector.getReturnType().getMethod("getEncodedSolidusHandling");
        encodedReverseSolidusHandling = optionalMethod(connector.getReturnType(), "getEncodedReverseSolidusHandling");
        Class<?> coyote = Class.forName("org.apache.coyote.Request", false, loader);
        processorHook = accessible(coyote.getDeclaredField("hook"));
        http11Processor = Class.forName("org.apache.coyote.http11.Http11Processor", false, loader);
        Class<?> actionCode = Class.forName("org.apache.coyote.ActionCode", false, loader);
        action = coyote.getMethod("action", actionCode, Object.class);
        closeNow = actionCode.getField("CLOSE_NOW").get(null);
        socketWrapper = accessible(Class.forName("org.apache.coyote.AbstractProcessor", false, loader)
                .getDeclaredMethod("getSocketWrapper"));
        Class<?> wrapper = Class.forName("org.apache.tomcat.util.net.SocketWrapperBase", false, loader);
        socket = wrapper.getMethod("getSocket");
        closeSocket = wrapper.getMethod("close");
        plainChannel = Class.forName("org.apache.tomcat.util.net.NioChannel", false, loader);
        ioChannel = plainChannel.getMethod("getIOChannel");
    }

    private static Method optionalMethod(Class<?> type, String name) {
        try {
            return type.getMethod(name);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
        member.setAccessible(true);
        return member;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Handle prepare(HttpServletRequest request, DepartureListener listener) {
        ServletRequest unwrapped = request;
        while (unwrapped instanceof ServletRequestWrapper wrapper) {
            unwrapped = wrapper.getRequest();
        }
        if (!requestFacade.isInstance(unwrapped)) {
            return null;
        }
        try {
            Object catalina = facadeRequest.get(unwrapped);
            Object coyote = coyoteRequest.invoke(catalina);
            Object processor = processorHook.get(coyote);
            Object wrapper = socketWrapper.invoke(processor);
            Object channel = wrapper == null ? null : socket.invoke(wrapper);
            if (!plainChannel.isInstance(channel)) {
                return null; // another connector
            }
            SocketChannel socketChannel = (SocketChannel) ioChannel.invoke(channel);
            tcp.prepare(socketChannel);
            if (!http11Processor.isInstance(processor)) {
                // HTTP/2: Tomcat reads the connection itself; aborting resets the stream, never the connection.
                return Handle.abortOnly(() -> closeNow(coyote));
            }
            Runnable abort = () -> {
                TcpSockets.abortOnClose(socketChannel);
                close(wrapper);
            };
            if (channel.getClass() != plainChannel) {
                // TLS (SecureNioChannel): the raw bytes are encrypted, but a failed write's timeout can be told apart
                return Handle.abortOnly(abort, failure -> listener.onKernelGaveUp(
                        tcp.ofFailure(failure, socketChannel), System.nanoTime()));
            }
            return selector.watch(socketChannel, listener, abort);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("Tomcat's socket could not be reached", e);
        }
    }

    @Override
    public Map<String, String> refusedInPaths(HttpServletRequest request) {
        ServletRequest unwrapped = request;
        while (unwrapped instanceof ServletRequestWrapper wrapper) {
            unwrapped = wrapper.getRequest();
        }
        if (!requestFacade.isInstance(unwrapped)) {
            return Map.of();
        }
        try {
            Object tomcatConnector = connector.invoke(facadeRequest.get(unwrapped));
            Map<String, String> refused = new LinkedHashMap<>();
            if ("reject".equalsIgnoreCase(String.valueOf(encodedSolidusHandling.invoke(tomcatConnector)))) {
                refused.put("%2F", "encodedSolidusHandling");
            }
            if (encodedReverseSolidusHandling != null && "reject".equalsIgnoreCase(
                    String.valueOf(encodedReverseSolidusHandling.invoke(tomcatConnector)))) {
                refused.put("%5C", "encodedReverseSolidusHandling");
            }
            return refused;
        } catch (ReflectiveOperationException e) {
            return Map.of();
        }
    }

    /**
     * Tomcat's own abort of one request: its error state becomes {@code CLOSE_NOW}, which on HTTP/2 resets the
     * stream ({@code RST_STREAM}) once the request completes, and leaves the connection's other streams alone.
     */
    private void closeNow(Object coyoteRequest) {
        try {
            action.invoke(coyoteRequest, closeNow, new IOException("stream aborted by Lifeline"));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Tomcat's request could not be aborted", e);
        }
    }

    private void close(Object wrapper) {
        try {
            closeSocket.invoke(wrapper);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Tomcat's socket could not be closed", e);
        }
    }

    @Override
    public void close() {
        selector.close();
    }
}
