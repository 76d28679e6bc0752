package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkkickstarter.common.avro.SchemaRegistryTransport.Response;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST endpoints this project uses, one method each, and the parsing of their
 * answers: each call is one request (with the transport's retries and failover), nothing is remembered.
 */
final class SchemaRegistryRestApi {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryRestApi.class);

    private final SchemaRegistryTransport transport;

    SchemaRegistryRestApi(SchemaRegistryTransport transport) {
        this.transport = checkNotNull(transport, "transport");
    }

    /**
     * {@code POST /subjects/{subject}/versions}: registers {@code schema} and returns its id. Idempotent: a
     * schema already registered keeps its id.
     */
    int register(String subject, Schema schema) throws IOException {
        Response response =
                transport.send("POST", "/subjects/" + pathSegment(subject) + "/versions", schemaBody(schema));
        switch (response.status()) {
            case 200 -> {
                int id = requiredInt(response, "id");
                LOG.info(
                        "Schema {} for subject '{}' has id {} at {}",
                        schema.getFullName(),
                        subject,
                        id,
                        response.url());
                return id;
            }
            case 409 -> {
                // Apicurio also answers 409 when another writer registered this very schema a moment
                // earlier (parallel writers, first run): then the schema is there and has an id.
                try {
                    return lookup(subject, schema).id();
                } catch (SchemaRegistryException e) {
                    if (!e.isNotFound()) {
                        throw e;
                    }
                }
                throw new SchemaRegistryException(
                        "Schema " + schema.getFullName()
                                + " is incompatible with the compatibility setting of subject '"
                                + subject + "' at " + response.url() + " (HTTP 409): evolve it compatibly (e.g. new"
                                + " fields need defaults) or change the subject's compatibility. Registry says: "
                                + response.registryMessage(),
                        409);
            }
            case 422 ->
                throw new SchemaRegistryException(
                        "Schema Registry at " + response.url() + " rejected schema " + schema.getFullName()
                                + " for subject '" + subject + "' as invalid (HTTP 422): " + response.registryMessage(),
                        422);
            default -> throw transport.failure(response, "registering a schema for subject '" + subject + "'");
        }
    }

    /** {@code POST /subjects/{subject}}: finds {@code schema} among the versions of {@code subject}. */
    RegisteredSchema lookup(String subject, Schema schema) throws IOException {
        Response response = transport.send("POST", "/subjects/" + pathSegment(subject), schemaBody(schema));
        requireFound(
                response,
                "Schema " + schema.getFullName() + " is not registered under subject '" + subject + "' at "
                        + response.url(),
                "looking up a schema under subject '" + subject + "'");
        return new RegisteredSchema(subject, requiredInt(response, "id"), requiredInt(response, "version"), schema);
    }

    /**
     * {@code GET /schemas/ids/{id}}: the schema with this global id.
     *
     * @throws SchemaRegistryException with {@link SchemaRegistryException#isNotFound()} if every URL that
     *     answered does not know the id
     * @throws UnusableSchemaException if the id's schema is not a usable Avro schema
     */
    Schema schemaById(int id) throws IOException {
        Response response = transport.send("GET", "/schemas/ids/" + id, null);
        List<?> urls = transport.urls();
        requireFound(
                response,
                "Schema id " + id + " not found at " + (urls.size() == 1 ? response.url() : urls),
                "fetching schema id " + id);
        return parseAvroSchema(response, "Schema id " + id);
    }

    /**
     * {@code GET /subjects/{subject}/versions/latest}. The schema text is parsed only if {@code knownSchemas}
     * does not have the answer's id.
     */
    RegisteredSchema latest(String subject, IntFunction<Schema> knownSchemas) throws IOException {
        Response response = transport.send("GET", "/subjects/" + pathSegment(subject) + "/versions/latest", null);
        requireFound(
                response,
                "Subject '" + subject + "' not found at " + response.url(),
                "fetching the latest version of subject '" + subject + "'");
        return registeredSchema(
                response,
                subject,
                requiredInt(response, "version"),
                knownSchemas,
                "the latest version of subject '" + subject + "'");
    }

    /**
     * {@code GET /subjects/{subject}/versions}: the version numbers, ascending; empty if the subject does not
     * exist.
     */
    List<Integer> versions(String subject) throws IOException {
        checkNotNull(subject, "subject");
        Response response = transport.send("GET", "/subjects/" + pathSegment(subject) + "/versions", null);
        if (response.status() == 404) {
            return List.of();
        }
        if (response.status() != 200) {
            throw transport.failure(response, "listing the versions of subject '" + subject + "'");
        }
        JsonNode json = response.json();
        if (!json.isArray()) {
            throw new SchemaRegistryException(
                    "Schema Registry at " + response.url() + " answered the versions of subject '" + subject
                            + "' with something other than a list: " + response.quotedBody(),
                    response.status());
        }
        List<Integer> versions = new ArrayList<>();
        for (JsonNode version : json) {
            if (!version.canConvertToInt()) {
                throw new SchemaRegistryException(
                        "Schema Registry at " + response.url() + " listed a non-numeric version of subject '" + subject
                                + "': " + response.quotedBody(),
                        response.status());
            }
            versions.add(version.intValue());
        }
        Collections.sort(versions);
        return versions;
    }

    /**
     * {@code GET /subjects/{subject}/versions/{version}}. The schema text is parsed only if {@code knownSchemas}
     * does not have the answer's id.
     */
    RegisteredSchema version(String subject, int version, IntFunction<Schema> knownSchemas) throws IOException {
        checkNotNull(subject, "subject");
        checkArgument(version > 0, "Versions start at 1, not %s", version);
        Response response = transport.send("GET", "/subjects/" + pathSegment(subject) + "/versions/" + version, null);
        requireFound(
                response,
                "Version " + version + " of subject '" + subject + "' not found at " + response.url(),
                "fetching version " + version + " of subject '" + subject + "'");
        return registeredSchema(
                response, subject, version, knownSchemas, "version " + version + " of subject '" + subject + "'");
    }

    /**
     * Passes a 200; fails a 404 as {@code notFound} with the registry's message, any other status as the
     * transport's failure while {@code doing}.
     */
    private void requireFound(Response response, String notFound, String doing) throws SchemaRegistryException {
        if (response.status() == 404) {
            throw new SchemaRegistryException(notFound + " (HTTP 404: " + response.registryMessage() + ")", 404);
        }
        if (response.status() != 200) {
            throw transport.failure(response, doing);
        }
    }

    private static RegisteredSchema registeredSchema(
            Response response, String subject, int version, IntFunction<Schema> knownSchemas, String what)
            throws SchemaRegistryException {
        int id = requiredInt(response, "id");
        Schema schema = knownSchemas.apply(id);
        return new RegisteredSchema(subject, id, version, schema != null ? schema : parseAvroSchema(response, what));
    }

    private static String schemaBody(Schema schema) {
        try {
            return SchemaRegistryTransport.JSON.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode a schema as JSON", e);
        }
    }

    private static int requiredInt(Response response, String field) throws SchemaRegistryException {
        JsonNode value = response.json().get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new SchemaRegistryException(
                    "Schema Registry at " + response.url() + " answered without a numeric '" + field + "': "
                            + response.quotedBody(),
                    response.status());
        }
        return value.intValue();
    }

    private static Schema parseAvroSchema(Response response, String what) throws SchemaRegistryException {
        JsonNode json = response.json();
        JsonNode type = json.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw unusable(
                    UnusableSchemaException.Problem.UNSUPPORTED_SCHEMA_TYPE,
                    what,
                    response,
                    "is a " + type.asText() + " schema; this job reads Avro only: have the producer use an Avro"
                            + " serializer",
                    null);
        }
        JsonNode references = json.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw unusable(
                    UnusableSchemaException.Problem.SCHEMA_REFERENCES,
                    what,
                    response,
                    "references other schemas (" + SchemaRegistryTransport.abbreviate(references.toString())
                            + "), which this client does not resolve: register the schema self-contained (named"
                            + " types defined inline)",
                    null);
        }
        JsonNode text = json.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException(
                    "Schema Registry at " + response.url() + " answered without a 'schema' for " + what + ": "
                            + response.quotedBody(),
                    response.status());
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (RuntimeException e) {
            // SchemaParseException, AvroTypeException (an invalid default), ...: untrusted text, any failure is a
            // verdict.
            throw unusable(
                    UnusableSchemaException.Problem.INVALID_SCHEMA,
                    what,
                    response,
                    "is not a valid Avro schema: " + e.getMessage()
                            + ": fix the schema and register it again (the producer then writes the new id)",
                    e);
        }
    }

    /** "{what} at {url} {problem}": the answer is no usable Avro schema, for good. */
    private static UnusableSchemaException unusable(
            UnusableSchemaException.Problem problem,
            String what,
            Response response,
            String why,
            @Nullable Throwable cause) {
        return new UnusableSchemaException(
                problem, what + " at " + response.url() + " " + why, response.status(), cause);
    }

    private static String pathSegment(String subject) {
        checkArgument(subject != null && !subject.isEmpty(), "subject must not be empty");
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
