package dev.flinkkickstarter.common.avro;

import static dev.flinkkickstarter.common.avro.BoundedBinaryDecoderTest.concat;
import static dev.flinkkickstarter.common.avro.BoundedBinaryDecoderTest.zigzag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.avro.WireFormatException.Reason;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import dev.flinkkickstarter.testing.ChildProcess;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values and registry answers a producer can send that must become dead letters, never an error that
 * fails the job, each interleaved with good records, against a real Schema Registry.
 */
class PoisonValuesITCase {

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final long ONE_GIB = 1L << 30;

    /** A string, bytes, an array and a map, then {@code n}, which tells the good records apart. */
    private static final Schema POISON = SchemaBuilder.record("Poison")
            .namespace("it")
            .fields()
            .requiredString("s")
            .requiredBytes("b")
            .name("a")
            .type()
            .array()
            .items()
            .longType()
            .noDefault()
            .name("m")
            .type()
            .map()
            .values()
            .longType()
            .noDefault()
            .requiredLong("n")
            .endRecord();

    private String topic;
    private RegistryHttp registryHttp;

    @BeforeEach
    void newTopic() {
        topic = "it.poison" + TOPICS.incrementAndGet();
        registryHttp = new RegistryHttp(REGISTRY.url());
    }

    /**
     * One 10-byte value declaring a 1 GiB string used to cost 1 GiB of heap (the TaskManager died of
     * OutOfMemoryError and restarted onto the same record). Decoded in a JVM with a 64 MiB heap:
     * every declared length beyond the value is a dead letter, and the good records between decode.
     */
    @Test
    void declaredLengthsBeyondTheValueAreDeadLettersInA64MibHeap(@TempDir Path dir) throws Exception {
        int id = registryHttp.register(topic + "-value", POISON.toString());
        byte[] header = concat(
                new byte[] {0}, java.nio.ByteBuffer.allocate(4).putInt(id).array());
        byte[] emptyBytes = zigzag(0);
        List<byte[]> values = List.of(
                good(id, 1),
                concat(header, zigzag(ONE_GIB), "abc".getBytes(StandardCharsets.UTF_8)), // string
                good(id, 2),
                concat(header, zigzag(1), new byte[] {'x'}, zigzag(ONE_GIB), new byte[] {1, 2}), // bytes
                good(id, 3),
                concat(header, zigzag(0), emptyBytes, zigzag(ONE_GIB), new byte[] {2, 0}), // array items
                good(id, 4),
                concat(header, zigzag(0), emptyBytes, zigzag(0), zigzag(ONE_GIB), new byte[] {2, 'k', 2}), // map
                good(id, 5));

        List<String> results = decodeInChildJvm(dir, "-Xmx64m", values);

        assertThat(results.get(0)).startsWith("maxHeap=");
        assertThat(Long.parseLong(results.get(0).substring("maxHeap=".length())))
                .isLessThan(ONE_GIB / 8);
        assertThat(results.subList(1, results.size()))
                .containsExactly(
                        "reader=record:1 writer=record:1 avro=record",
                        "reader=MALFORMED_BODY writer=MALFORMED_BODY avro=OutOfMemoryError",
                        "reader=record:2 writer=record:2 avro=record",
                        "reader=MALFORMED_BODY writer=MALFORMED_BODY avro=OutOfMemoryError",
                        "reader=record:3 writer=record:3 avro=record",
                        "reader=MALFORMED_BODY writer=MALFORMED_BODY avro=OutOfMemoryError",
                        "reader=record:4 writer=record:4 avro=record",
                        // Avro's own map happens to allocate per entry, so it only runs out of bytes.
                        "reader=MALFORMED_BODY writer=MALFORMED_BODY avro=EOFException",
                        "reader=record:5 writer=record:5 avro=record");
    }

    @Test
    void schemaIdsThatAreNotUsableAvroAreDeadLettersWithTheirOwnReason() throws Exception {
        int goodId = registryHttp.register(topic + "-value", POISON.toString());
        // Producers of another topic (or another registry client) registered these; ids are global.
        String subject = topic + "-other-value";
        List<PoisonId> poisonIds = new ArrayList<>();
        poisonIds.add(new PoisonId(
                "protobuf",
                registryHttp.register(
                        subject + 0,
                        "syntax = \"proto3\";\nmessage Flight {\n  string number = 1;\n}\n",
                        "PROTOBUF",
                        List.of()),
                Reason.UNSUPPORTED_SCHEMA_TYPE));
        poisonIds.add(new PoisonId(
                "json",
                registryHttp.register(
                        subject + 1,
                        "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\"}",
                        "JSON",
                        List.of()),
                Reason.UNSUPPORTED_SCHEMA_TYPE));
        String referencedSubject = topic + "-airport";
        registryHttp.register(
                referencedSubject,
                "{\"type\":\"record\",\"name\":\"Airport\",\"namespace\":\"it\",\"fields\":[{\"name\":\"code\",\"type\":\"string\"}]}");
        poisonIds.add(new PoisonId(
                "references",
                registryHttp.register(
                        subject + 2,
                        "{\"type\":\"record\",\"name\":\"Flight\",\"namespace\":\"it\",\"fields\":[{\"name\":\"from\",\"type\":\"it.Airport\"}]}",
                        "AVRO",
                        List.of(Map.of("name", "it.Airport", "subject", referencedSubject, "version", 1))),
                Reason.SCHEMA_REFERENCES));
        // An Avro schema with an invalid default: Apicurio refuses to store one (SchemaRegistryClientTest has it).
        poisonIds.add(new PoisonId(
                "not a record", registryHttp.register(subject + 4, "{\"type\": \"string\"}"), Reason.INVALID_SCHEMA));
        poisonIds.add(new PoisonId(
                "recursive",
                registryHttp.register(
                        subject + 3,
                        "{\"type\":\"record\",\"name\":\"Node\",\"namespace\":\"it\",\"fields\":[{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}"),
                Reason.INVALID_SCHEMA));
        poisonIds.add(new PoisonId(
                "too deep", registryHttp.register(subject + 5, nested(100).toString()), Reason.INVALID_SCHEMA));
        ConfluentAvroDecoder decoder = ConfluentAvroDecoder.forWriterSchemas(topic, settings());

        for (int round = 0; round < 3; round++) {
            int n = 0;
            for (PoisonId poison : poisonIds) {
                n++;
                assertThat(decoder.decode(good(goodId, n)).get("n")).isEqualTo((long) n);
                assertThatThrownBy(() -> decoder.decode(concat(header(poison.id()), new byte[] {2, 2})))
                        .as(poison.name())
                        .isInstanceOfSatisfying(
                                WireFormatException.class,
                                e -> assertThat(e.reason()).isEqualTo(poison.reason()))
                        .hasMessageContaining("schema id " + poison.id());
            }
        }
    }

    /** Every unknown schema id is asked for once, then remembered (for missing.id.cache.ttl.sec). */
    @Test
    void tenThousandRecordsWithUnknownIdsCostOneRegistryRequestPerId() throws Exception {
        int goodId = registryHttp.register(topic + "-value", POISON.toString());
        ConfluentAvroDecoder decoder = ConfluentAvroDecoder.forWriterSchemas(topic, settings());
        CountingListener listener = new CountingListener();
        decoder.setListener(listener);
        REGISTRY.resetRequestCount();
        int unknownIds = 20;
        int deadLetters = 0;
        long good = 0;

        for (int i = 0; i < 10_000; i++) {
            try {
                decoder.decode(concat(header(1_000_000 + i % unknownIds), new byte[] {2}));
            } catch (WireFormatException e) {
                assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID);
                deadLetters++;
            }
            if (i % 100 == 0) {
                assertThat(decoder.decode(good(goodId, i)).get("n")).isEqualTo((long) i);
                good++;
            }
        }

        assertThat(deadLetters).isEqualTo(10_000);
        assertThat(good).isEqualTo(100);
        assertThat(REGISTRY.requestCount()).isEqualTo(unknownIds + 1);
        assertThat(listener.calls.get()).isEqualTo(unknownIds + 1);
        assertThat(listener.unknownIdCacheHits.get()).isEqualTo(10_000 - unknownIds);
    }

    private record PoisonId(String name, int id, Reason reason) {}

    private List<String> decodeInChildJvm(Path dir, String heap, List<byte[]> values) throws Exception {
        try (ChildProcess child = ChildProcess.java("decoder with " + heap, DecodeInSmallHeap.class.getName())
                .jvmOptions(heap)
                .arguments(REGISTRY.url(), topic, POISON.toString())
                .log(dir.resolve("out.txt"))
                .start()) {
            try (OutputStream in = child.input()) {
                for (byte[] value : values) {
                    in.write((HexFormat.of().formatHex(value) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            child.awaitSuccess(Duration.ofMinutes(2));
            List<String> results = new ArrayList<>();
            for (String line : child.output().lines().toList()) {
                if (line.startsWith("RESULT ")) {
                    results.add(line.substring("RESULT ".length()));
                }
            }
            return results;
        }
    }

    private SchemaRegistrySettings settings() {
        Map<String, String> properties = new LinkedHashMap<>(REGISTRY.clientProperties());
        properties.put(SchemaRegistrySettings.RETRIES_WAIT_MS, "10");
        return SchemaRegistrySettings.of(properties);
    }

    private static byte[] header(int id) {
        return concat(new byte[] {0}, java.nio.ByteBuffer.allocate(4).putInt(id).array());
    }

    private static byte[] good(int id, long n) throws IOException {
        GenericRecord record = new GenericData.Record(POISON);
        record.put("s", "flight " + n);
        record.put("b", java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
        record.put("a", List.of(n, n + 1));
        record.put("m", Map.of("k", n));
        record.put("n", n);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header(id));
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(POISON).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** A record nesting {@code depth} records. */
    private static Schema nested(int depth) {
        Schema schema =
                SchemaBuilder.record("Level" + depth).fields().requiredLong("n").endRecord();
        for (int i = depth - 1; i > 0; i--) {
            schema = SchemaBuilder.record("Level" + i)
                    .fields()
                    .name("inner")
                    .type(schema)
                    .noDefault()
                    .endRecord();
        }
        return schema;
    }

    private static final class CountingListener implements SchemaRegistryListener {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger unknownIdCacheHits = new AtomicInteger();

        @Override
        public void registryCall(int httpStatus, long durationNanos) {
            calls.incrementAndGet();
        }

        @Override
        public void unknownSchemaIdCacheHit(int schemaId) {
            unknownIdCacheHits.incrementAndGet();
        }
    }
}
