package dev.flinkkickstarter.common.avro;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
 * Decode throughput of {@link ConfluentAvroDecoder} (bounded decoding, both modes) against Avro's own
 * {@link BinaryDecoder} on the same flight-like values; prints figures, asserts nothing. Run from
 * {@code common/}: {@code java -cp target/classes:target/test-classes:$(cat target/cp.txt)
 * dev.flinkkickstarter.common.avro.ConfluentAvroDecoderBenchmark} after {@code ../mvnw -o -q
 * test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt}.
 */
public final class ConfluentAvroDecoderBenchmark {

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

    private ConfluentAvroDecoderBenchmark() {}

    public static void main(String[] args) throws Exception {
        FakeSchemaRegistry registry = new FakeSchemaRegistry();
        registry.beforeEach(null);
        try {
            int id = registry.preRegister("bench-value", FLIGHT.toString());
            List<byte[]> values = values(id);
            long bytes = values.stream().mapToLong(v -> v.length).sum();
            ConfluentAvroDecoder withReader = ConfluentAvroDecoder.create(FLIGHT, "bench", registry.settings());
            ConfluentAvroDecoder withWriter = ConfluentAvroDecoder.forWriterSchemas("bench", registry.settings());
            GenericDatumReader<GenericRecord> avroReader = new GenericDatumReader<>(FLIGHT, FLIGHT);
            System.out.printf(
                    "%d values of %.0f bytes on average, %d rounds each, best round:%n",
                    VALUES, (double) bytes / VALUES, ROUNDS);
            for (int repeat = 0; repeat < 3; repeat++) { // the first pass warms the JIT up
                report("Avro BinaryDecoder (unbounded)", values, value -> {
                    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
                    return avroReader.read(null, decoder);
                });
                report("ConfluentAvroDecoder, reader schema", values, withReader::decode);
                report("ConfluentAvroDecoder, writer schemas", values, withWriter::decode);
            }
        } finally {
            registry.afterEach(null);
        }
    }

    private interface Decode {
        GenericRecord decode(byte[] value) throws IOException;
    }

    private static void report(String name, List<byte[]> values, Decode decode) throws IOException {
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
