package dev.flinkkickstarter.datagen;

import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.config.ClientSettings;
import java.io.IOException;
import org.apache.avro.specific.SpecificData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The airlines' writer schemas in the Schema Registry. */
final class WriterSchemas {

    private static final Logger LOG = LoggerFactory.getLogger(WriterSchemas.class);

    private WriterSchemas() {}

    /**
     * Resolves each airline's writer schema id once, before the job starts: an unreachable registry,
     * rejected credentials or an incompatible schema then fail the submission rather than the running
     * job. It also registers a new subject once, instead of from every parallel writer at the same
     * time (Apicurio answers all but the first of such concurrent registrations with HTTP 409).
     */
    static void register(DataGeneratorOptions options, ClientSettings settings) throws IOException {
        try (SchemaRegistryClient registry = SchemaRegistryClient.create(settings.schemaRegistry())) {
            for (Airline<?> airline : options.airlines()) {
                String subject = ConfluentSchemaCoder.valueSubject(options.topic(airline));
                int id = registry.writerSchemaId(subject, SpecificData.get().getSchema(airline.recordClass()));
                LOG.info("{} records are written with schema id {} of subject '{}'", airline, id, subject);
            }
        }
    }
}
