package dev.flinkkickstarter.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reverse proxy on a free loopback port that forwards every HTTP request as it is to one server and counts them,
 * so that tests can prove how often a client calls that server (e.g. that it caches).
 */
final class CountingHttpProxy implements AutoCloseable {

    // Headers the JDK HttpClient sets itself (it refuses them) or that describe one hop only.
    private static final Set<String> HOP_HEADERS =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding", "keep-alive");

    private final AtomicInteger requestCount = new AtomicInteger();
    private final HttpServer server;
    private final ExecutorService executor;

    private CountingHttpProxy(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts a proxy in front of {@code target}, e.g. {@code http://127.0.0.1:8080}. */
    static CountingHttpProxy start(URI target) throws IOException {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "counting-http-proxy");
            thread.setDaemon(true);
            return thread;
        });
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        CountingHttpProxy proxy = new CountingHttpProxy(server, executor);
        server.createContext("/", exchange -> {
            proxy.requestCount.incrementAndGet();
            try {
                forward(client, target, exchange);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return proxy;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The number of requests forwarded since the start or the last reset. */
    int requestCount() {
        return requestCount.get();
    }

    void resetRequestCount() {
        requestCount.set(0);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Forwards one request as it is (method, path, query, headers, body) and the response as it is. */
    private static void forward(HttpClient client, URI target, HttpExchange exchange) throws IOException {
        URI uri = URI.create(target + exchange.getRequestURI().toString());
        byte[] requestBody;
        try (InputStream in = exchange.getRequestBody()) {
            requestBody = in.readAllBytes();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .method(
                        exchange.getRequestMethod(),
                        requestBody.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(requestBody));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(502, -1);
            return;
        } catch (IOException e) {
            exchange.sendResponseHeaders(502, -1);
            return;
        }
        copyHeaders(response.headers(), exchange);
        byte[] body = response.body();
        boolean bodyless = body.length == 0 || "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.statusCode(), bodyless ? -1 : body.length);
        if (!bodyless) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void copyHeaders(HttpHeaders from, HttpExchange to) {
        from.map().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                to.getResponseHeaders().put(name, values);
            }
        });
    }
}
