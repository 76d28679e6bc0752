package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkNotNull;

import org.apache.avro.Schema;

/** A schema as the registry knows it under a subject: its global id and its version in the subject. */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {

    public RegisteredSchema {
        checkNotNull(subject, "subject");
        checkNotNull(schema, "schema");
    }
}
