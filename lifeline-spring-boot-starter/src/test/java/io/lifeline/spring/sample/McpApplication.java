package io.lifeline.spring.sample;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * A Model Context Protocol server on Spring AI's Spring MVC SSE transport ({@code WebMvcSseServerTransportProvider}),
 * as its starter makes one with {@code spring.ai.mcp.server.protocol=SSE}: a client holds an event stream at
 * {@code /sse}, and the transport keeps a session for it until that stream ends.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class McpApplication {
}
