package dev.flinkkickstarter.iceberg;

/** Moves Confluent-wire-format Avro records from Kafka into Apache Iceberg tables, exactly once. */
public final class AvroToIcebergJob {

    private AvroToIcebergJob() {}

    public static void main(String[] args) {
        throw new UnsupportedOperationException("avro-to-iceberg-job is not yet available");
    }
}
