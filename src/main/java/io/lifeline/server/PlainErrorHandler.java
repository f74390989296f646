package io.lifeline.server;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The embedded program's answer to the errors Jetty decides before the web app sees a request (a malformed request
 * line, a URI its compliance refuses, headers too large): one line of plain text, whatever the client accepts, never
 * an HTML page, and never a stack trace.
 */
final class PlainErrorHandler extends ErrorHandler {

    PlainErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws java.io.IOException {
        if (!generateAcceptableResponse(request, response, callback, "text/plain",
                List.of(StandardCharsets.UTF_8), code, message, cause)) {
            callback.succeeded();
        }
    }

    @Override
    protected void writeErrorPlain(Request request, PrintWriter writer, int code, String message, Throwable cause) {
        String reason = HttpStatus.getMessage(code);
        writer.write(code + " " + reason + (message == null || message.equals(reason) ? "" : ": " + message) + "\n");
    }
}
