package dev.flinkkickstarter.common.config;

import static org.apache.flink.util.Preconditions.checkState;

import dev.flinkkickstarter.common.config.ClientSettings.Target;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * The AWS names the {@code aws} source reads, from {@code aws-contract.json} on the classpath: the
 * same file {@code scripts/check-static.sh} checks {@code terraform/} against, so code and
 * infrastructure cannot drift apart. Names are relative to the prefix.
 */
record AwsContract(String defaultPrefix, List<SecretSpec> secrets, List<ParameterPathSpec> parameterPaths) {

    static final String RESOURCE = "/aws-contract.json";

    /** A Secrets Manager secret holding a JSON object whose string values go to {@code target}. */
    record SecretSpec(String name, Target target, List<String> requiredKeys) {}

    /** An SSM Parameter Store path whose parameters go to {@code target}; an optional one may be empty. */
    record ParameterPathSpec(String path, Target target, boolean required) {}

    static AwsContract load() {
        try (InputStream in = AwsContract.class.getResourceAsStream(RESOURCE)) {
            checkState(in != null, "%s is missing from the classpath", RESOURCE);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
    }

    private static AwsContract parse(String json) {
        Map<String, JsonNode> root = JsonNode.parser().parse(json).asObject();
        List<SecretSpec> secrets = new ArrayList<>();
        root.get("secrets").asObject().forEach((name, spec) -> {
            List<String> keys = spec.field("requiredKeys").orElseThrow().asArray().stream()
                    .map(JsonNode::asString)
                    .toList();
            secrets.add(new SecretSpec(name, target(spec), keys));
        });
        List<ParameterPathSpec> paths = new ArrayList<>();
        root.get("parameterPaths")
                .asObject()
                .forEach((path, spec) -> paths.add(new ParameterPathSpec(
                        path, target(spec), spec.field("required").orElseThrow().asBoolean())));
        return new AwsContract(root.get("defaultPrefix").asString(), List.copyOf(secrets), List.copyOf(paths));
    }

    private static Target target(JsonNode spec) {
        return Target.ofId(spec.field("target").orElseThrow().asString());
    }
}
