package dev.flinkkickstarter.common.config;

import dev.flinkkickstarter.common.config.AwsContract.ParameterPathSpec;
import dev.flinkkickstarter.common.config.AwsContract.SecretSpec;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathRequest;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;

/**
 * {@code --config-source aws}: Secrets Manager secrets and SSM Parameter Store paths named by {@link
 * AwsContract}, below {@code --aws-prefix}. Credentials come from the SDK's default chain; the
 * region from {@code --aws-region} or the SDK's default chain, never a silent default; the endpoint
 * from {@code --aws-endpoint-url} or the SDK's own {@code AWS_ENDPOINT_URL*} settings (LocalStack,
 * tests). Throttling is retried by the SDK's standard retry mode. Secret values never reach a log
 * line or an exception message.
 */
final class AwsConfigSource {

    private static final Logger LOG = LoggerFactory.getLogger(AwsConfigSource.class);

    static final String PREFIX_FLAG = "aws-prefix";
    static final String PREFIX_ENV = "AWS_CONFIG_PREFIX";
    static final String REGION_FLAG = "aws-region";
    static final String ENDPOINT_URL_FLAG = "aws-endpoint-url";

    private final AwsRegionProvider defaultRegion;

    AwsConfigSource(AwsRegionProvider defaultRegion) {
        this.defaultRegion = defaultRegion;
    }

    static AwsConfigSource withDefaultRegionChain() {
        return new AwsConfigSource(new DefaultAwsRegionProviderChain());
    }

    void addTo(ClientSettings.Builder builder, JobArguments args) {
        AwsContract contract = AwsContract.load();
        String prefix = stripTrailingSlash(args.get(PREFIX_FLAG, PREFIX_ENV, contract.defaultPrefix()));
        Region region = region(args);
        Optional<URI> endpoint = args.get(ENDPOINT_URL_FLAG).map(URI::create);
        try (SecretsManagerClient secretsManager = configure(SecretsManagerClient.builder(), region, endpoint)
                        .build();
                SsmClient ssm = configure(SsmClient.builder(), region, endpoint).build()) {
            for (SecretSpec secret : contract.secrets()) {
                builder.properties(secret.target(), readSecret(secretsManager, prefix + "/" + secret.name(), secret));
            }
            for (ParameterPathSpec path : contract.parameterPaths()) {
                builder.properties(path.target(), readParameters(ssm, prefix + "/" + path.path(), path));
            }
        }
    }

    private Region region(JobArguments args) {
        Optional<String> flag = args.get(REGION_FLAG);
        if (flag.isPresent()) {
            return Region.of(flag.get().trim());
        }
        try {
            return defaultRegion.getRegion();
        } catch (SdkException e) {
            throw new IllegalArgumentException(
                    "No AWS region is set for --config-source aws: pass --" + REGION_FLAG
                            + " (e.g. us-east-1), set the AWS_REGION environment variable, or set region in"
                            + " the AWS profile (~/.aws/config, AWS_PROFILE)",
                    e);
        }
    }

    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B configure(
            B builder, Region region, Optional<URI> endpoint) {
        builder.region(region)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD));
        endpoint.ifPresent(builder::endpointOverride);
        return builder;
    }

    private static Map<String, String> readSecret(SecretsManagerClient client, String name, SecretSpec spec) {
        String region = client.serviceClientConfiguration().region().id();
        String secretString;
        try {
            secretString = client.getSecretValue(r -> r.secretId(name)).secretString();
        } catch (ResourceNotFoundException e) {
            throw new IllegalStateException(
                    "Secrets Manager secret " + name + " does not exist in region " + region
                            + " (check --" + PREFIX_FLAG + " and the region; terraform/ creates it). Reading it"
                            + " needs IAM action secretsmanager:GetSecretValue on it.",
                    e);
        } catch (AwsServiceException e) {
            throw new IllegalStateException(
                    "Cannot read Secrets Manager secret " + name + " in region " + region + " (" + error(e) + ")"
                            + (isAccessDenied(e)
                                    ? ". It needs IAM action secretsmanager:GetSecretValue on the secret, and"
                                            + " kms:Decrypt on its KMS key if that key is customer-managed."
                                    : ""),
                    e);
        } catch (SdkException e) {
            throw new IllegalStateException(
                    "Cannot read Secrets Manager secret " + name + " in region " + region + ": " + e.getMessage(), e);
        }
        Map<String, String> values = parseSecret(name, secretString, spec.requiredKeys());
        LOG.info(
                "Read Secrets Manager secret {} (region {}) into {}: keys {}",
                name,
                region,
                spec.target().id(),
                values.keySet());
        return values;
    }

    /** The secret's JSON object as strings; errors name the secret and key, never any value. */
    private static Map<String, String> parseSecret(String name, String secretString, List<String> requiredKeys) {
        Map<String, JsonNode> object = jsonObject(secretString)
                .orElseThrow(() -> new IllegalStateException("Secrets Manager secret " + name
                        + " is not a JSON object; its SecretString must look like {\"" + requiredKeys.get(0)
                        + "\": \"...\", ...} with keys " + requiredKeys));
        Map<String, String> values = new TreeMap<>();
        object.forEach((key, value) -> {
            if (value.isString() || value.isNumber() || value.isBoolean()) {
                values.put(key, value.text()); // verbatim: 0.10 stays 0.10
            } else if (!value.isNull()) {
                throw new IllegalStateException("Secrets Manager secret " + name + " key " + key
                        + " must be a string, number or boolean, not an object or array");
            }
        });
        for (String key : requiredKeys) {
            if (values.getOrDefault(key, "").isBlank()) {
                throw new IllegalStateException("Secrets Manager secret " + name + " lacks required key " + key
                        + " (or it is empty); keys present: " + values.keySet());
            }
        }
        return values;
    }

    private static Optional<Map<String, JsonNode>> jsonObject(String text) {
        if (text == null) {
            return Optional.empty(); // a binary secret
        }
        try {
            JsonNode root = JsonNode.parser().parse(text);
            return root.isObject() ? Optional.of(root.asObject()) : Optional.empty();
        } catch (RuntimeException e) {
            // Deliberately dropped: the parser's message quotes the text it choked on, i.e. the secret.
            return Optional.empty();
        }
    }

    private static Map<String, String> readParameters(SsmClient client, String path, ParameterPathSpec spec) {
        String region = client.serviceClientConfiguration().region().id();
        GetParametersByPathRequest request = GetParametersByPathRequest.builder()
                .path(path)
                .recursive(true)
                .withDecryption(true)
                .build();
        Map<String, String> values = new TreeMap<>();
        try {
            // The paginator follows NextToken: SSM returns at most 10 parameters per page.
            for (GetParametersByPathResponse page : client.getParametersByPathPaginator(request)) {
                for (Parameter parameter : page.parameters()) {
                    values.put(parameter.name().substring(path.length() + 1), parameter.value());
                }
            }
        } catch (AwsServiceException e) {
            throw new IllegalStateException(
                    "Cannot read SSM parameters under " + path + "/ in region " + region + " (" + error(e) + ")"
                            + (isAccessDenied(e)
                                    ? ". It needs IAM action ssm:GetParametersByPath on that path, and kms:Decrypt"
                                            + " on the KMS key of its SecureString parameters."
                                    : ""),
                    e);
        } catch (SdkException e) {
            throw new IllegalStateException(
                    "Cannot read SSM parameters under " + path + "/ in region " + region + ": " + e.getMessage(), e);
        }
        if (values.isEmpty() && spec.required()) {
            throw new IllegalStateException("SSM path " + path + "/ in region " + region
                    + " holds no parameters; terraform/ writes the "
                    + spec.target().id()
                    + " client properties there (check --" + PREFIX_FLAG + " and the region)");
        }
        LOG.info(
                "Read SSM parameters under {}/ (region {}) into {}: {}",
                path,
                region,
                spec.target().id(),
                values.keySet());
        return values;
    }

    /** AWS error code and message: they name resources and principals, never secret values. */
    private static String error(AwsServiceException e) {
        return e.awsErrorDetails() == null
                ? "HTTP " + e.statusCode()
                : e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage();
    }

    private static boolean isAccessDenied(AwsServiceException e) {
        return e.statusCode() == 403
                || e.awsErrorDetails() != null
                        && e.awsErrorDetails().errorCode() != null
                        && e.awsErrorDetails().errorCode().contains("AccessDenied");
    }

    private static String stripTrailingSlash(String prefix) {
        String trimmed = prefix.trim();
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
