package dev.flinkkickstarter.datagen;

/** Generates Sky One and Sunset Air flight records as Confluent-wire-format Avro into Kafka. */
public final class DataGeneratorJob {

    private DataGeneratorJob() {}

    public static void main(String[] args) {
        throw new UnsupportedOperationException("datagen-job is not yet available");
    }
}
