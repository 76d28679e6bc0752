package dev.flinkkickstarter.common.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.avro.testing.TestFlight;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SchemaRegistryClientTest {

    private static final String SUBJECT = "airline.test-value";
    private static final Schema SCHEMA = TestFlight.getClassSchema();

    @RegisterExtension
    final FakeSchemaRegistry registry = new FakeSchemaRegistry();

    /** A second registry (another node, or one that does not hold this job's schemas). */
    @RegisterExtension
    final FakeSchemaRegistry other = new FakeSchemaRegistry();

    @Test
    void registersOncePerSubjectAndSchema() throws IOException {
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.settings());

        int id = client.register(SUBJECT, SCHEMA);

        assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(id);
        assertThat(client.getById(id)).isSameAs(SCHEMA);
        assertThat(registry.requests()).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo("/subjects/airline.test-value/versions");
            assertThat(request.body()).contains("\"schema\"").contains("TestFlight");
            assertThat(request.authorization()).isNull();
        });
    }

    @Test
    void fetchesEachIdOnce() throws IOException {
        int id = registry.preRegister(SUBJECT, SCHEMA.toString());
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.settings());

        Schema fetched = client.getById(id);

        assertThat(fetched).isEqualTo(SCHEMA);
        assertThat(client.getById(id)).isSameAs(fetched);
        assertThat(registry.requests()).hasSize(1);
    }

    @Test
    void sendsUserInfoAsBasicAuth() throws IOException {
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.settings(
                SchemaRegistrySettings.CREDENTIALS_SOURCE, "USER_INFO",
                SchemaRegistrySettings.USER_INFO, "key:s3cret"));

        client.register(SUBJECT, SCHEMA);

        assertThat(registry.requests().get(0).authorization()).isEqualTo(basic("key:s3cret"));
    }

    @Test
    void takesCredentialsFromTheUrlAndKeepsThemOutOfMessages() {
        String url = registry.url().replace("http://", "http://key:s3cret@") + "/";
        SchemaRegistryClient client = SchemaRegistryClient.create(SchemaRegistrySettings.of(
                Map.of(SchemaRegistrySettings.URL, url, SchemaRegistrySettings.CREDENTIALS_SOURCE, "URL")));
        registry.respondNext(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");

        assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("credentials rejected by " + registry.url())
                .hasMessageNotContaining("s3cret")
                .hasMessageNotContaining("key:");
        assertThat(registry.requests().get(0).authorization()).isEqualTo(basic("key:s3cret"));
        assertThat(client.urls()).hasToString("[" + registry.url() + "]");
    }

    @Test
    void rejectedCredentialsSayWhichUrlWithoutTheSecret() {
        SchemaRegistryClient client =
                SchemaRegistryClient.create(registry.settings(SchemaRegistrySettings.USER_INFO, "key:s3cret"));
        registry.respondNext(403, "{\"error_code\":40301,\"message\":\"Forbidden\"}");

        assertThatThrownBy(() -> client.getById(7))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("credentials rejected by " + registry.url() + " (HTTP 403)")
                .hasMessageNotContaining("s3cret")
                .satisfies(e ->
                        assertThat(((SchemaRegistryException) e).httpStatus()).isEqualTo(403));
    }

    @Test
    void incompatibleSchemaIsReportedByStatusAlone() {
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.settings());
        // Apicurio answers 409 with error_code 0, so the status is what counts.
        registry.respondNext(409, "{\"error_code\":0,\"message\":\"Incompatible artifact\"}");

        assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("incompatible with the compatibility setting of subject '" + SUBJECT + "'")
                .hasMessageContaining("Incompatible artifact");
    }

    @Test
    void conflictForASchemaAnotherWriterJustRegisteredReturnsItsId() throws IOException {
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.settings());
        int id = registry.preRegister(SUBJECT, SCHEMA.toString());
        // What Apicurio answers the loser of two writers registering the same new subject at once.
        registry.respondNext(409, "{\"error_code\":0,\"message\":\"Artifact already exists\"}");

        assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(id);
        assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(id);
        assertThat(registry.requests()).hasSize(2);
    }

    @Test
    void retriesServerErrorsWithBackoff() throws IOException {
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.settings());
        registry.respondNext(503, "{\"error_code\":50301,\"message\":\"busy\"}");
        registry.respondNext(429, "{\"error_code\":429,\"message\":\"slow down\"}");

        int id = client.register(SUBJECT, SCHEMA);

        assertThat(client.getById(id)).isSameAs(SCHEMA);
        assertThat(registry.requests()).hasSize(3);
    }

    @Test
    void lookupWithoutAutoRegistrationNeedsTheSchemaRegisteredFirst() throws IOException {
        SchemaRegistryClient client =
                SchemaRegistryClient.create(registry.settings(SchemaRegistrySettings.AUTO_REGISTER_SCHEMAS, "false"));

        assertThatThrownBy(() -> client.writerSchemaId(SUBJECT, SCHEMA))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("not registered under subject '" + SUBJECT + "'")
                .hasMessageContaining("auto.register.schemas=false");

        int id = registry.preRegister(SUBJECT, SCHEMA.toString());
        assertThat(client.writerSchemaId(SUBJECT, SCHEMA)).isEqualTo(id);
        assertThat(registry.requests())
                .extracting(FakeSchemaRegistry.Request::method)
                .containsOnly("POST");
        assertThat(registry.requests())
                .extracting(FakeSchemaRegistry.Request::path)
                .containsOnly("/subjects/" + SUBJECT);
    }

    @Test
    void useLatestVersionWritesWithTheLatestRegisteredId() throws IOException {
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.settings(
                SchemaRegistrySettings.AUTO_REGISTER_SCHEMAS,
                "false",
                SchemaRegistrySettings.USE_LATEST_VERSION,
                "true"));

        assertThatThrownBy(() -> client.writerSchemaId(SUBJECT, SCHEMA))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("Subject '" + SUBJECT + "' not found")
                .hasMessageContaining("Auto-registration is off")
                .hasMessageContaining("register the schema for subject '" + SUBJECT + "' first");

        int id = registry.preRegister(SUBJECT, SCHEMA.toString());
        assertThat(client.writerSchemaId(SUBJECT, SCHEMA)).isEqualTo(id);
        assertThat(client.writerSchemaId(SUBJECT, SCHEMA)).isEqualTo(id);
        assertThat(registry.requests()).hasSize(2);
    }

    @Test
    void useLatestVersionRefusesALatestSchemaThatIsNotTheJobs() {
        registry.preRegister(SUBJECT, "{\"type\":\"record\",\"name\":\"Other\",\"fields\":[]}");
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.settings(
                SchemaRegistrySettings.AUTO_REGISTER_SCHEMAS,
                "false",
                SchemaRegistrySettings.USE_LATEST_VERSION,
                "true"));

        assertThatThrownBy(() -> client.writerSchemaId(SUBJECT, SCHEMA))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("is not the schema this job writes with");
    }

    @Test
    void answersThatAreNotUsableAvroAreUnusableSchemasRememberedForGood() {
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.settings());
        registry.respondNext(200, "{\"schema\": \"syntax = \\\"proto3\\\";\", \"schemaType\": \"PROTOBUF\"}");
        registry.respondNext(
                200,
                "{\"schema\": \"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"F\\\",\\\"fields\\\":[]}\","
                        + " \"references\": [{\"name\": \"it.Airport\", \"subject\": \"airports\", \"version\": 1}]}");
        registry.respondNext(
                200,
                "{\"schema\": \"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"F\\\",\\\"fields\\\":"
                        + "[{\\\"name\\\":\\\"n\\\",\\\"type\\\":\\\"long\\\",\\\"default\\\":\\\"soon\\\"}]}\"}");
        registry.respondNext(200, "{\"schema\": \"{not json\"}");

        for (int round = 0; round < 2; round++) {
            assertUnusable(client, 1, UnusableSchemaException.Problem.UNSUPPORTED_SCHEMA_TYPE, "is a PROTOBUF schema");
            assertUnusable(client, 2, UnusableSchemaException.Problem.SCHEMA_REFERENCES, "references other schemas");
            assertUnusable(client, 3, UnusableSchemaException.Problem.INVALID_SCHEMA, "Invalid default for field n");
            assertUnusable(client, 4, UnusableSchemaException.Problem.INVALID_SCHEMA, "is not a valid Avro schema");
        }
        assertThat(registry.requests()).hasSize(4);
    }

    @Test
    void anIdIsUnknownOnlyWhenNoUrlKnowsIt() throws IOException {
        int id = registry.preRegister(SUBJECT, SCHEMA.toString());
        SchemaRegistryClient client = SchemaRegistryClient.create(
                SchemaRegistrySettings.of(Map.of(SchemaRegistrySettings.URL, other.url() + "," + registry.url())));

        assertThat(client.getById(id)).isEqualTo(SCHEMA);
        assertThatThrownBy(() -> client.getById(id + 1))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.isNotFound()).isTrue())
                .hasMessageContaining("not found at [" + other.url() + ", " + registry.url() + "]");
        assertThat(other.requests()).hasSize(2);
        assertThat(registry.requests()).hasSize(2);
    }

    @Test
    void unknownIdsAreRememberedForTheConfiguredTime() throws IOException {
        List<Integer> cacheHits = new ArrayList<>();
        SchemaRegistryClient remembering = SchemaRegistryClient.create(registry.settings());
        remembering.setListener(new SchemaRegistryListener() {
            @Override
            public void unknownSchemaIdCacheHit(int schemaId) {
                cacheHits.add(schemaId);
            }
        });
        SchemaRegistryClient forgetting =
                SchemaRegistryClient.create(other.settings(SchemaRegistrySettings.MISSING_ID_CACHE_TTL_SEC, "0"));

        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> remembering.getById(7)).hasMessageContaining("Schema id 7 not found");
            assertThatThrownBy(() -> forgetting.getById(7)).hasMessageContaining("Schema id 7 not found");
        }

        assertThat(registry.requests()).hasSize(1);
        assertThat(cacheHits).containsExactly(7, 7, 7, 7);
        assertThat(other.requests()).hasSize(5);
    }

    @Test
    void theUnknownIdCacheIsBounded() {
        SchemaRegistryClient client =
                SchemaRegistryClient.create(registry.settings(SchemaRegistrySettings.MISSING_CACHE_SIZE, "2"));

        for (int id : new int[] {1, 2, 3, 1}) {
            assertThatThrownBy(() -> client.getById(id)).hasMessageContaining("not found");
        }

        // 1 was dropped when 3 came, so it was asked for again.
        assertThat(registry.requests()).hasSize(4);
    }

    private static void assertUnusable(
            SchemaRegistryClient client, int id, UnusableSchemaException.Problem problem, String messagePart) {
        assertThatThrownBy(() -> client.getById(id))
                .isInstanceOfSatisfying(
                        UnusableSchemaException.class,
                        e -> assertThat(e.problem()).isEqualTo(problem))
                .hasMessageContaining("Schema id " + id)
                .hasMessageContaining(messagePart);
    }

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }
}
