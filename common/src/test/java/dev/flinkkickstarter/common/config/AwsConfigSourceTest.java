package dev.flinkkickstarter.common.config;

import static dev.flinkkickstarter.common.config.FakeAwsServerExtension.GET_PARAMETERS_BY_PATH;
import static dev.flinkkickstarter.common.config.FakeAwsServerExtension.GET_SECRET_VALUE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.config.FakeAwsServerExtension.Request;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The real AWS SDK clients of {@link AwsConfigSource} against {@link FakeAwsServerExtension}. */
class AwsConfigSourceTest {

    static final String PREFIX = "/confluent_cloud_resource";
    static final String KAFKA_SECRET = PREFIX + "/kafka_cluster/java_client";
    static final String REGISTRY_SECRET = PREFIX + "/schema_registry_cluster/java_client";
    static final String CONSUMER_PATH = PREFIX + "/consumer_kafka_client";
    static final String PRODUCER_PATH = PREFIX + "/producer_kafka_client";
    static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"CLUSTERKEY\" password=\"s3cr3t;with\\\"quotes=and,commas\";";
    static final String KAFKA_SECRET_JSON = "{\"bootstrap.servers\": \"pkc-1.us-east-1.aws.confluent.cloud:9092\","
            + " \"sasl.jaas.config\": " + jsonString(JAAS) + "}";
    static final String REGISTRY_SECRET_JSON =
            "{\"schema.registry.url\": \"https://psrc-1.us-east-1.aws.confluent.cloud\","
                    + " \"basic.auth.credentials.source\": \"USER_INFO\", \"basic.auth.user.info\": \"SRKEY:registry-secret\"}";

    @RegisterExtension
    final FakeAwsServerExtension aws = new FakeAwsServerExtension();

    @Test
    void loadsSecretsAndParametersIntoClientSettings() {
        givenCompleteConfiguration();
        aws.putParameter(PREFIX + "/iceberg_catalog/warehouse", "s3://bucket/warehouse");

        ClientSettings settings = load();

        assertThat(settings.consumerProperties())
                .containsEntry("bootstrap.servers", "pkc-1.us-east-1.aws.confluent.cloud:9092")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("auto.offset.reset", "earliest")
                .doesNotContainKey("acks");
        assertThat(settings.producerProperties())
                .containsEntry("bootstrap.servers", "pkc-1.us-east-1.aws.confluent.cloud:9092")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("acks", "all")
                .doesNotContainKey("auto.offset.reset");
        assertThat(settings.schemaRegistry().properties())
                .containsEntry(SchemaRegistrySettings.URL, "https://psrc-1.us-east-1.aws.confluent.cloud")
                .containsEntry(SchemaRegistrySettings.CREDENTIALS_SOURCE, "USER_INFO")
                .containsEntry(SchemaRegistrySettings.USER_INFO, "SRKEY:registry-secret");
        assertThat(settings.catalogProperties()).containsExactly(Map.entry("warehouse", "s3://bucket/warehouse"));
        assertThat(aws.requests(GET_PARAMETERS_BY_PATH)).allSatisfy(request -> {
            assertThat(request.field("Recursive")).isEqualTo("true");
            assertThat(request.field("WithDecryption")).isEqualTo("true");
        });
    }

    @Test
    void readsEveryPageOfParameters() {
        givenSecrets();
        aws.putParameter(PRODUCER_PATH + "/acks", "all");
        IntStream.rangeClosed(1, 25).forEach(i -> aws.putParameter(CONSUMER_PATH + "/custom.property." + i, "v" + i));

        ClientSettings settings = load();

        // 25 parameters at SSM's page size of 10, plus the two keys of the Kafka secret.
        assertThat(settings.consumerProperties()).hasSize(27);
        assertThat(settings.consumerProperties())
                .containsEntry("custom.property.1", "v1")
                .containsEntry("custom.property.25", "v25");
        assertThat(requestsForPath(CONSUMER_PATH)).hasSize(3);
        assertThat(requestsForPath(CONSUMER_PATH).stream().map(r -> r.field("NextToken")))
                .containsExactly(null, "10", "20");
    }

    @Test
    void keepsValuesVerbatim() {
        givenCompleteConfiguration();
        aws.putParameter(CONSUMER_PATH + "/fraction", "0.10")
                .putParameter(CONSUMER_PATH + "/grouped.number", "1,000")
                .putParameter(PRODUCER_PATH + "/sasl.jaas.config", JAAS)
                .putParameter(PRODUCER_PATH + "/nested/name", " padded ");

        ClientSettings settings = load();

        assertThat(settings.consumerProperties())
                .containsEntry("fraction", "0.10")
                .containsEntry("grouped.number", "1,000")
                .containsEntry("sasl.jaas.config", JAAS);
        assertThat(settings.producerProperties())
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("nested/name", " padded ");
    }

    @Test
    void secretNumbersKeepTheirText() {
        givenCompleteConfiguration();
        aws.putSecret(
                KAFKA_SECRET,
                "{\"bootstrap.servers\": \"b:9092\", \"sasl.jaas.config\": \"x\", \"retry.backoff.ms\": 100.50}");

        assertThat(load().consumerProperties()).containsEntry("retry.backoff.ms", "100.50");
    }

    @Test
    void missingSecretNamesSecretRegionAndAction() {
        aws.putSecret(REGISTRY_SECRET, REGISTRY_SECRET_JSON);

        assertThatThrownBy(this::load)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContainingAll(KAFKA_SECRET, "us-east-1", "secretsmanager:GetSecretValue");
    }

    @Test
    void accessDeniedNamesTheIamActions() {
        givenCompleteConfiguration();
        aws.failNext(GET_SECRET_VALUE, "AccessDeniedException");
        assertThatThrownBy(this::load)
                .hasMessageContainingAll(
                        KAFKA_SECRET, "AccessDeniedException", "secretsmanager:GetSecretValue", "kms:Decrypt");

        aws.failNext(GET_PARAMETERS_BY_PATH, "AccessDeniedException");
        assertThatThrownBy(this::load)
                .hasMessageContainingAll(
                        CONSUMER_PATH, "AccessDeniedException", "ssm:GetParametersByPath", "kms:Decrypt");
    }

    @Test
    void malformedSecretJsonNamesTheSecret() {
        givenCompleteConfiguration();
        aws.putSecret(KAFKA_SECRET, "{\"bootstrap.servers\": \"b:9092\", \"sasl.jaas.config\": \"unterminated");

        assertThatThrownBy(this::load)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContainingAll(KAFKA_SECRET, "not a JSON object", "sasl.jaas.config")
                .hasMessageNotContaining("unterminated")
                .hasNoCause();
    }

    @Test
    void secretThatIsNotAnObjectIsRejected() {
        givenCompleteConfiguration();
        aws.putSecret(REGISTRY_SECRET, "[\"https://psrc-1\"]");

        assertThatThrownBy(this::load).hasMessageContainingAll(REGISTRY_SECRET, "not a JSON object");
    }

    @Test
    void missingRequiredKeyNamesSecretAndKey() {
        givenCompleteConfiguration();
        aws.putSecret(KAFKA_SECRET, "{\"bootstrap.servers\": \"b:9092\"}");

        assertThatThrownBy(this::load)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContainingAll(KAFKA_SECRET, "lacks required key sasl.jaas.config");
    }

    @Test
    void throttlingIsRetriedBySdk() {
        givenCompleteConfiguration();
        aws.failNext(GET_SECRET_VALUE, "ThrottlingException").failNext(GET_PARAMETERS_BY_PATH, "ThrottlingException");

        ClientSettings settings = load();

        assertThat(settings.consumerProperties()).containsEntry("auto.offset.reset", "earliest");
        assertThat(aws.requests(GET_SECRET_VALUE).stream().map(r -> r.field("SecretId")))
                .containsExactly(KAFKA_SECRET, KAFKA_SECRET, REGISTRY_SECRET);
        assertThat(requestsForPath(CONSUMER_PATH)).hasSize(2);
    }

    @Test
    void persistentThrottlingFailsAfterTheSdkRetries() {
        givenCompleteConfiguration();
        // The SDK's standard retry mode makes 3 attempts.
        aws.failNext(GET_SECRET_VALUE, "ThrottlingException")
                .failNext(GET_SECRET_VALUE, "ThrottlingException")
                .failNext(GET_SECRET_VALUE, "ThrottlingException");

        assertThatThrownBy(this::load).hasMessageContainingAll(KAFKA_SECRET, "ThrottlingException");
        assertThat(aws.requests(GET_SECRET_VALUE)).hasSize(3);
    }

    @Test
    void emptyRequiredParameterPathIsAnError() {
        givenSecrets();
        aws.putParameter(CONSUMER_PATH + "/auto.offset.reset", "earliest");

        assertThatThrownBy(this::load)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContainingAll(PRODUCER_PATH + "/", "us-east-1", "holds no parameters");
    }

    @Test
    void prefixIsConfigurable() {
        aws.putSecret("/team-a/kafka_cluster/java_client", KAFKA_SECRET_JSON)
                .putSecret("/team-a/schema_registry_cluster/java_client", REGISTRY_SECRET_JSON)
                .putParameter("/team-a/consumer_kafka_client/group.id", "team-a")
                .putParameter("/team-a/producer_kafka_client/acks", "all");

        ClientSettings settings = load("--aws-prefix", "/team-a/");

        assertThat(settings.consumerProperties()).containsEntry("group.id", "team-a");
    }

    @Test
    void overrideFlagsBeatAwsValues() {
        givenCompleteConfiguration();

        ClientSettings settings = load(
                "--kafka.bootstrap.servers=localhost:19092",
                "--consumer.auto.offset.reset=latest",
                "--schema-registry.schema.registry.url=http://localhost:8081",
                "--catalog.type=hadoop");

        assertThat(settings.consumerProperties())
                .containsEntry("bootstrap.servers", "localhost:19092")
                .containsEntry("auto.offset.reset", "latest");
        assertThat(settings.producerProperties()).containsEntry("bootstrap.servers", "localhost:19092");
        assertThat(settings.schemaRegistry().urls()).containsExactly(URI.create("http://localhost:8081"));
        assertThat(settings.catalogProperties()).containsEntry("type", "hadoop");
    }

    @Test
    void missingRegionSaysHowToSetIt() {
        AwsConfigSource noRegionAnywhere = new AwsConfigSource(() -> {
            throw SdkClientException.create("Unable to load region from any of the providers in the chain");
        });
        JobArguments args = JobArguments.parse(
                new String[] {
                    "--config-source",
                    "aws",
                    "--aws-endpoint-url",
                    aws.endpoint().toString()
                },
                Map.of());

        assertThatThrownBy(() -> noRegionAnywhere.addTo(ClientSettings.builder(), args))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("--aws-region", "AWS_REGION", "~/.aws/config");
        assertThat(aws.requests(GET_SECRET_VALUE)).isEmpty();
    }

    @Test
    void honoursTheSdkStandardEndpointSetting() {
        givenCompleteConfiguration();
        // The SDK reads AWS_ENDPOINT_URL from the environment or aws.endpointUrl from system properties.
        String previous = System.setProperty("aws.endpointUrl", aws.endpoint().toString());
        try {
            ClientSettings settings = ClientSettings.load(
                    JobArguments.parse(new String[] {"--config-source", "aws", "--aws-region", "us-east-1"}, Map.of()));
            assertThat(settings.consumerProperties()).containsEntry("auto.offset.reset", "earliest");
        } finally {
            if (previous == null) {
                System.clearProperty("aws.endpointUrl");
            } else {
                System.setProperty("aws.endpointUrl", previous);
            }
        }
    }

    private void givenSecrets() {
        aws.putSecret(KAFKA_SECRET, KAFKA_SECRET_JSON).putSecret(REGISTRY_SECRET, REGISTRY_SECRET_JSON);
    }

    private void givenCompleteConfiguration() {
        givenSecrets();
        aws.putParameter(CONSUMER_PATH + "/auto.offset.reset", "earliest").putParameter(PRODUCER_PATH + "/acks", "all");
    }

    private ClientSettings load(String... extraArgs) {
        return ClientSettings.load(JobArguments.parse(awsArgs(aws, extraArgs), Map.of()));
    }

    private List<Request> requestsForPath(String path) {
        return aws.requests(GET_PARAMETERS_BY_PATH).stream()
                .filter(r -> r.field("Path").equals(path))
                .toList();
    }

    static String[] awsArgs(FakeAwsServerExtension aws, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of(
                "--config-source",
                "aws",
                "--aws-region",
                "us-east-1",
                "--aws-endpoint-url",
                aws.endpoint().toString()));
        args.addAll(List.of(extraArgs));
        return args.toArray(String[]::new);
    }

    static String jsonString(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
