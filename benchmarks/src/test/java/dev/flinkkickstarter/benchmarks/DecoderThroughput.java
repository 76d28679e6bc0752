package dev.flinkkickstarter.benchmarks;

import dev.flinkkickstarter.common.avro.ConfluentAvroDecoder;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Decode throughput of {@link ConfluentAvroDecoder} (bounded decoding, with a reader schema and with writer schemas)
 * next to Avro's own {@link BinaryDecoder} on the same flight-like values. Run in its own JVM by {@link
 * PipelineBenchmark} (step {@code decoder}) with the registry's URL as its argument: the decoders fetch the one schema
 * once, so the registry is not part of the figures. Prints each pass; the last pass (the JIT warmed up by the first
 * two) also as result lines {@code DECODE <values/s> <decoder>}.
 */
final class DecoderThroughput {

    private static final Schema FLIGHT = new Schema.Parser().parse("""
            {"type": "record", "name": "Flight", "namespace": "bench", "fields": [
              {"name": "email", "type": "string"},
              {"name": "flightNumber", "type": "string"},
              {"name": "origin", "type": "string"},
              {"name": "destination", "type": "string"},
              {"name": "departure", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "arrival", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "confirmation", "type": "string"},
              {"name": "seat", "type": ["null", "string"], "default": null},
              {"name": "legs", "type": {"type": "array", "items": "string"}},
              {"name": "extras", "type": {"type": "map", "values": "int"}}
            ]}""");

    private static final int VALUES = 10_000;
    private static final int ROUNDS = 30;
    private static final int PASSES = 3;
    /** The reference the result lines are compared with. */
    static final String AVRO_BINARY_DECODER = "Avro BinaryDecoder (unbounded)";

    private DecoderThroughput() {}

    public static void main(String[] args) throws Exception {
        SchemaRegistrySettings settings = SchemaRegistrySettings.of(Map.of(SchemaRegistrySettings.URL, args[0]));
        int id;
        try (SchemaRegistryClient registry = SchemaRegistryClient.create(settings)) {
            id = registry.writerSchemaId("bench-value", FLIGHT);
        }
        List<byte[]> values = values(id);
        long bytes = values.stream().mapToLong(v -> v.length).sum();
        GenericDatumReader<GenericRecord> avroReader = new GenericDatumReader<>(FLIGHT, FLIGHT);
        System.out.printf(
                "%d values of %.0f bytes on average, %d rounds each, best round:%n",
                VALUES, (double) bytes / VALUES, ROUNDS);
        try (ConfluentAvroDecoder withReader = ConfluentAvroDecoder.create(FLIGHT, "bench", settings);
                ConfluentAvroDecoder withWriter = ConfluentAvroDecoder.forWriterSchemas("bench", settings)) {
            Map<String, Decode> decoders = new LinkedHashMap<>();
            decoders.put(AVRO_BINARY_DECODER, value -> {
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
                return avroReader.read(null, decoder);
            });
            decoders.put("ConfluentAvroDecoder, reader schema", withReader::decode);
            decoders.put("ConfluentAvroDecoder, writer schemas", withWriter::decode);
            for (int pass = 1; pass <= PASSES; pass++) { // the first passes warm the JIT up
                for (Map.Entry<String, Decode> decoder : decoders.entrySet()) {
                    double valuesPerSecond = report(decoder.getKey(), values, decoder.getValue());
                    if (pass == PASSES) {
                        System.out.printf(Locale.ROOT, "DECODE %.0f %s%n", valuesPerSecond, decoder.getKey());
                    }
                }
            }
        }
    }

    private interface Decode {
        GenericRecord decode(byte[] value) throws IOException;
    }

    /** Prints the best of {@link #ROUNDS} rounds and returns it in values/s. */
    private static double report(String name, List<byte[]> values, Decode decode) throws IOException {
        long best = Long.MAX_VALUE;
        long checksum = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            for (byte[] value : values) {
                checksum += decode.decode(value).hashCode();
            }
            best = Math.min(best, System.nanoTime() - start);
        }
        System.out.printf(
                "  %-40s %7.0f ns/value  %,10.0f values/s  (checksum %d)%n",
                name, (double) best / values.size(), values.size() * 1e9 / best, checksum);
        return values.size() * 1e9 / best;
    }

    private static List<byte[]> values(int id) throws IOException {
        List<byte[]> values = new ArrayList<>();
        GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(FLIGHT);
        for (int i = 0; i < VALUES; i++) {
            GenericRecord record = new GenericData.Record(FLIGHT);
            record.put("email", "passenger" + i + "@example.com");
            record.put("flightNumber", "SKY" + (i % 9000));
            record.put("origin", "ATL");
            record.put("destination", "LAX");
            record.put("departure", 1_700_000_000_000L + i * 60_000L);
            record.put("arrival", 1_700_000_000_000L + i * 60_000L + 5 * 3_600_000L);
            record.put(
                    "price",
                    java.nio.ByteBuffer.wrap(
                            java.math.BigInteger.valueOf(12_345 + i).toByteArray()));
            record.put("confirmation", "CONF" + Integer.toHexString(i * 7919));
            record.put("seat", i % 3 == 0 ? null : (i % 40) + "C");
            record.put("legs", List.of("ATL-DEN", "DEN-LAX"));
            record.put("extras", java.util.Map.of("bags", i % 3, "meals", 1));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            writer.write(record, encoder);
            encoder.flush();
            values.add(out.toByteArray());
        }
        return values;
    }
}
