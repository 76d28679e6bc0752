package dev.flinkkickstarter.common.avro;

import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

/**
 * Run in a child JVM with a small heap by {@link PoisonValuesITCase}: decodes the hex-encoded
 * Confluent values on stdin, one per line, with the decoder in both modes, and for comparison with
 * Avro's own {@link org.apache.avro.io.BinaryDecoder}, printing one {@code RESULT} line per value.
 *
 * <p>Arguments: registry URL, topic, reader schema JSON.
 */
public final class DecodeInSmallHeap {

    private DecodeInSmallHeap() {}

    public static void main(String[] args) throws Exception {
        SchemaRegistrySettings settings = SchemaRegistrySettings.of(Map.of(SchemaRegistrySettings.URL, args[0]));
        Schema readerSchema = new Schema.Parser().parse(args[2]);
        ConfluentAvroDecoder withReader = ConfluentAvroDecoder.create(readerSchema, args[1], settings);
        ConfluentAvroDecoder withWriter = ConfluentAvroDecoder.forWriterSchemas(args[1], settings);
        System.out.println("RESULT maxHeap=" + Runtime.getRuntime().maxMemory());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            byte[] value = HexFormat.of().parseHex(line.trim());
            System.out.println("RESULT reader=" + outcome(withReader, value) + " writer=" + outcome(withWriter, value)
                    + " avro=" + avroOutcome(readerSchema, value));
        }
    }

    private static String outcome(ConfluentAvroDecoder decoder, byte[] value) {
        try {
            return "record:" + decoder.decode(value).get("n");
        } catch (WireFormatException e) {
            return e.reason().name();
        } catch (Throwable e) {
            return e.getClass().getSimpleName();
        }
    }

    /** What Avro's own decoder does with the body: for a declared 1 GiB it tries to allocate it. */
    private static String avroOutcome(Schema schema, byte[] value) {
        try {
            new GenericDatumReader<GenericRecord>(schema)
                    .read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
            return "record";
        } catch (Throwable e) {
            return e.getClass().getSimpleName();
        }
    }
}
