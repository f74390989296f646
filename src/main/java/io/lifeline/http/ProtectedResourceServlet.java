package io.lifeline.http;

import io.lifeline.protocol.draft08.ProtectedResourceMetadata;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /.well-known/oauth-protected-resource/.well-known/mercure}: the hub's protected resource metadata
 * ({@link ProtectedResourceMetadata}), served where Mercure 1.0 is spoken and a resource identifier is configured.
 *
 * <p>The document is public: any origin may read it ({@code Access-Control-Allow-Origin: *}, without credentials),
 * and caches may keep it for five minutes.</p>
 */
final class ProtectedResourceServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Where the embedded program and a WAR at the root context serve it. */
    static final String PATH = ProtectedResourceMetadata.WELL_KNOWN + "/.well-known/mercure";

    private final byte[] document;

    ProtectedResourceServlet(String document) {
        this.document = document.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(ProtectedResourceMetadata.MEDIA_TYPE);
        response.setHeader("Access-Control-Allow-Origin", "*");
        response.setHeader("Cache-Control", "public, max-age=300");
        response.setContentLength(document.length);
        response.getOutputStream().write(document);
    }
}
