package dev.flinkkickstarter.common.config;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * An in-process HTTP server speaking the AWS JSON 1.1 protocol of Secrets Manager {@code
 * GetSecretValue} and SSM {@code GetParametersByPath} (NextToken pagination, AWS error shapes), so
 * the real SDK clients can be tested without AWS. Fresh per test; it also sets fake static
 * credentials through the SDK's {@code aws.accessKeyId}/{@code aws.secretAccessKey} system
 * properties, which the default credentials chain reads first.
 */
public final class FakeAwsServerExtension implements BeforeEachCallback, AfterEachCallback {

    public static final String GET_SECRET_VALUE = "secretsmanager.GetSecretValue";
    public static final String GET_PARAMETERS_BY_PATH = "AmazonSSM.GetParametersByPath";

    private static final Map<String, String> CREDENTIALS =
            Map.of("aws.accessKeyId", "AKIDFAKEFORTESTS", "aws.secretAccessKey", "fake-secret-key-for-tests");

    /** One request the server answered: its X-Amz-Target and JSON body. */
    public record Request(String target, Map<String, JsonNode> body) {
        public String field(String name) {
            JsonNode value = body.get(name);
            return value == null ? null : value.text();
        }
    }

    private final Map<String, String> secrets = new HashMap<>();
    private final TreeMap<String, String> parameters = new TreeMap<>();
    private final Map<String, Deque<String>> queuedErrors = new HashMap<>();
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, String> previousSystemProperties = new HashMap<>();
    private int pageSize = 10;
    private HttpServer server;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        CREDENTIALS.forEach((key, value) -> previousSystemProperties.put(key, System.setProperty(key, value)));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        server.stop(0);
        previousSystemProperties.forEach((key, previous) -> {
            if (previous == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, previous);
            }
        });
    }

    public URI endpoint() {
        return URI.create("http://" + server.getAddress().getHostString() + ":"
                + server.getAddress().getPort());
    }

    public synchronized FakeAwsServerExtension putSecret(String name, String secretString) {
        secrets.put(name, secretString);
        return this;
    }

    public synchronized FakeAwsServerExtension putParameter(String name, String value) {
        parameters.put(name, value);
        return this;
    }

    /** How many parameters one GetParametersByPath page holds (SSM's maximum and default is 10). */
    public synchronized FakeAwsServerExtension pageSize(int pageSize) {
        this.pageSize = pageSize;
        return this;
    }

    /** Answers the next request for {@code target} with HTTP 400 and AWS error {@code errorType}. */
    public synchronized FakeAwsServerExtension failNext(String target, String errorType) {
        queuedErrors.computeIfAbsent(target, t -> new ArrayDeque<>()).add(errorType);
        return this;
    }

    public synchronized List<Request> requests(String target) {
        return requests.stream().filter(r -> r.target().equals(target)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            Map<String, JsonNode> body = JsonNode.parser()
                    .parse(new String(exchange.getRequestBody().readAllBytes(), UTF_8))
                    .asObject();
            Request request = new Request(target, body);
            Response response;
            synchronized (this) {
                requests.add(request);
                Deque<String> errors = queuedErrors.get(target);
                if (errors != null && !errors.isEmpty()) {
                    response = Response.error(errors.poll(), "Injected by the test");
                } else if (GET_SECRET_VALUE.equals(target)) {
                    response = getSecretValue(request);
                } else if (GET_PARAMETERS_BY_PATH.equals(target)) {
                    response = getParametersByPath(request);
                } else {
                    response = Response.error("UnknownOperationException", "Unsupported target " + target);
                }
            }
            byte[] bytes = response.json().getBytes(UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.getResponseHeaders().add("x-amzn-RequestId", "fake-request-" + requests.size());
            exchange.sendResponseHeaders(response.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private Response getSecretValue(Request request) {
        String name = request.field("SecretId");
        String secretString = secrets.get(name);
        if (secretString == null) {
            return Response.error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        }
        return Response.ok("{\"ARN\":" + quote("arn:aws:secretsmanager:us-east-1:000000000000:secret:" + name)
                + ",\"Name\":" + quote(name) + ",\"SecretString\":" + quote(secretString)
                + ",\"VersionId\":\"v1\",\"VersionStages\":[\"AWSCURRENT\"]}");
    }

    private Response getParametersByPath(Request request) {
        String path = request.field("Path").replaceAll("/+$", "") + "/";
        boolean recursive = Boolean.parseBoolean(request.field("Recursive"));
        List<Map.Entry<String, String>> matching = parameters.tailMap(path, true).entrySet().stream()
                .takeWhile(e -> e.getKey().startsWith(path))
                .filter(e -> recursive || e.getKey().indexOf('/', path.length()) < 0)
                .toList();
        String token = request.field("NextToken");
        int from = token == null ? 0 : Integer.parseInt(token);
        int to = Math.min(from + pageSize, matching.size());
        String page = matching.subList(from, to).stream()
                .map(e -> "{\"Name\":" + quote(e.getKey()) + ",\"Type\":\"SecureString\",\"Value\":"
                        + quote(e.getValue()) + ",\"Version\":1}")
                .collect(Collectors.joining(",", "[", "]"));
        return Response.ok("{\"Parameters\":" + page
                + (to < matching.size() ? ",\"NextToken\":" + quote(String.valueOf(to)) : "") + "}");
    }

    private static String quote(String value) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + '"';
    }

    private record Response(int status, String json) {
        static Response ok(String json) {
            return new Response(200, json);
        }

        static Response error(String type, String message) {
            return new Response(400, "{\"__type\":" + quote(type) + ",\"message\":" + quote(message) + "}");
        }
    }
}
