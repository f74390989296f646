package io.lifeline.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.net.WWWFormCodec;
import org.apache.hc.core5.http.message.BasicNameValuePair;
import org.apache.hc.core5.util.Timeout;

/**
 * Ordinary request/response calls (publish, subscriptions API, metrics) through Apache HttpClient 5. It trusts any
 * certificate: it only ever talks to the test's own servers.
 */
public final class Http implements AutoCloseable {

    /** A finished response. */
    public record Response(int status, String body, Map<String, String> headers) {
        public String header(String name) {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return null;
        }
    }

    private final CloseableHttpClient client = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                    .setTlsSocketStrategy(new DefaultClientTlsStrategy(Tls.trustingClient(),
                            NoopHostnameVerifier.INSTANCE))
                    .build())
            .setDefaultRequestConfig(RequestConfig.custom()
                    .setResponseTimeout(Timeout.ofSeconds(10))
                    .setConnectionRequestTimeout(Timeout.ofSeconds(10))
                    .build())
            .build();

    /** Form fields as name, value, name, value... */
    public static byte[] form(String... nameValues) {
        List<BasicNameValuePair> pairs = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            pairs.add(new BasicNameValuePair(nameValues[i], nameValues[i + 1]));
        }
        return WWWFormCodec.format(pairs, StandardCharsets.UTF_8).getBytes(StandardCharsets.US_ASCII);
    }

    /** POSTs an update form with a bearer token (null for none). */
    public Response publish(URI hub, String token, String... nameValues) throws IOException {
        return post(hub, token, "application/x-www-form-urlencoded", form(nameValues));
    }

    public Response post(URI uri, String token, String contentType, byte[] body) throws IOException {
        HttpPost post = new HttpPost(uri);
        if (token != null) {
            post.setHeader("Authorization", "Bearer " + token);
        }
        post.setEntity(new ByteArrayEntity(body, contentType == null ? null : ContentType.parse(contentType)));
        return execute(post);
    }

    public Response get(URI uri, String token) throws IOException {
        HttpGet get = new HttpGet(uri);
        if (token != null) {
            get.setHeader("Authorization", "Bearer " + token);
        }
        return execute(get);
    }

    /** Any method, with header lines as name, value, name, value... */
    public Response send(String method, URI uri, String... headerNamesAndValues) throws IOException {
        HttpUriRequestBase request = new HttpUriRequestBase(method, uri);
        for (int i = 0; i < headerNamesAndValues.length; i += 2) {
            request.addHeader(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
        }
        return execute(request);
    }

    private Response execute(HttpUriRequestBase request) throws IOException {
        return client.execute(request, response -> {
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            for (Header h : response.getHeaders()) {
                headers.put(h.getName(), h.getValue());
            }
            String body = response.getEntity() == null ? ""
                    : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
            return new Response(response.getCode(), body, headers);
        });
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
