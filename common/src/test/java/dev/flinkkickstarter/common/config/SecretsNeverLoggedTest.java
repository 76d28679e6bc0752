package dev.flinkkickstarter.common.config;

import static dev.flinkkickstarter.common.config.AwsConfigSourceTest.CONSUMER_PATH;
import static dev.flinkkickstarter.common.config.AwsConfigSourceTest.KAFKA_SECRET;
import static dev.flinkkickstarter.common.config.AwsConfigSourceTest.PRODUCER_PATH;
import static dev.flinkkickstarter.common.config.AwsConfigSourceTest.REGISTRY_SECRET;
import static dev.flinkkickstarter.common.config.AwsConfigSourceTest.awsArgs;
import static dev.flinkkickstarter.common.config.AwsConfigSourceTest.jsonString;
import static dev.flinkkickstarter.common.config.FakeAwsServerExtension.GET_PARAMETERS_BY_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.flinkkickstarter.testing.CapturedLogs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Loads settings holding secret values through both sources and their error paths, with every log
 * event captured at DEBUG (ours and the AWS SDK's), and checks no secret value shows up in a log
 * line, an exception (message, cause chain, stack trace) or {@code toString()}.
 */
class SecretsNeverLoggedTest {

    private static final List<String> SECRET_VALUES =
            List.of("sasl-secret-value", "registry-secret-value", "ssm-secret-value", "catalog-secret-value");
    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"K\" password=\"sasl-secret-value\";";
    private static final String KAFKA_JSON =
            "{\"bootstrap.servers\": \"b:9092\", \"sasl.jaas.config\": " + jsonString(JAAS) + "}";
    private static final String REGISTRY_JSON = "{\"schema.registry.url\": \"https://r\","
            + " \"basic.auth.credentials.source\": \"USER_INFO\", \"basic.auth.user.info\": \"K:registry-secret-value\"}";

    @RegisterExtension
    final FakeAwsServerExtension aws = new FakeAwsServerExtension();

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @Test
    void localSource() {
        ClientSettings settings = ClientSettings.load(JobArguments.parse(
                new String[] {
                    "--kafka.sasl.jaas.config", JAAS,
                    "--schema-registry.basic.auth.user.info", "K:registry-secret-value",
                    "--catalog.s3.secret-access-key", "catalog-secret-value"
                },
                Map.of()));
        logs.lines().add(settings.toString());
        logs.lines().add(settings.schemaRegistry().toString());

        assertNoSecretCaptured();
        assertThat(logs.lines()).anyMatch(line -> line.contains("Override flags set"));
    }

    @Test
    void localSourceErrors() {
        captureFailure(JobArguments.parse(
                new String[] {"--kafka.sasl.jaas.config", JAAS, "--kafka-properties-file", "/no/such/file"}, Map.of()));
        captureFailure(JobArguments.parse(
                new String[] {"--schema-registry.basic.auth.user.info", "K:registry-secret-value"},
                Map.of("CONFIG_SOURCE", "cloud")));

        assertNoSecretCaptured();
    }

    @Test
    void awsSource() {
        givenAwsConfiguration();
        aws.putParameter(CONSUMER_PATH + "/ssl.key.password", "ssm-secret-value")
                .failNext(GET_PARAMETERS_BY_PATH, "ThrottlingException");

        ClientSettings settings = ClientSettings.load(JobArguments.parse(awsArgs(aws), Map.of()));
        logs.lines().add(settings.toString());

        assertThat(settings.consumerProperties()).containsEntry("ssl.key.password", "ssm-secret-value");
        assertThat(logs.lines()).anyMatch(line -> line.contains("Read Secrets Manager secret " + KAFKA_SECRET));
        assertNoSecretCaptured();
    }

    @Test
    void awsSourceErrors() {
        givenAwsConfiguration();
        aws.putSecret(KAFKA_SECRET, "{\"bootstrap.servers\": \"b:9092\", \"sasl.jaas.config\": \"sasl-secret-value");
        captureFailure(JobArguments.parse(awsArgs(aws), Map.of()));

        aws.putSecret(KAFKA_SECRET, KAFKA_JSON)
                .putSecret(REGISTRY_SECRET, "{\"basic.auth.user.info\": \"K:registry-secret-value\"}");
        captureFailure(JobArguments.parse(awsArgs(aws), Map.of()));

        aws.putSecret(REGISTRY_SECRET, REGISTRY_JSON).failNext(GET_PARAMETERS_BY_PATH, "AccessDeniedException");
        captureFailure(JobArguments.parse(awsArgs(aws), Map.of()));

        assertNoSecretCaptured();
    }

    private void givenAwsConfiguration() {
        aws.putSecret(KAFKA_SECRET, KAFKA_JSON)
                .putSecret(REGISTRY_SECRET, REGISTRY_JSON)
                .putParameter(CONSUMER_PATH + "/group.id", "flights")
                .putParameter(PRODUCER_PATH + "/acks", "all");
    }

    private void captureFailure(JobArguments args) {
        Throwable failure = catchThrowable(() -> ClientSettings.load(args));
        assertThat(failure).as("loading should fail").isNotNull();
        logs.lines().add(failure.toString());
        logs.lines().add(CapturedLogs.stackTrace(failure));
    }

    private void assertNoSecretCaptured() {
        assertThat(logs.lines()).isNotEmpty();
        for (String line : logs.lines()) {
            for (String secret : SECRET_VALUES) {
                assertThat(line).as("a captured line or message").doesNotContain(secret);
            }
        }
    }
}
