package dev.flinkkickstarter.common.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.hadoop.HadoopOutputFile;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalFileIOTest {

    @TempDir
    Path dir;

    private final LocalFileIO io = new LocalFileIO();

    @Test
    void writesAndReadsBackKeepingTheLocationAsGiven() throws IOException {
        String location = "file:" + dir.resolve("data/month=2026-11/00000-0.parquet");
        byte[] content = "PAR1 pages footer PAR1".getBytes(StandardCharsets.UTF_8);

        OutputFile output = io.newOutputFile(location);
        try (PositionOutputStream out = output.create()) {
            out.write(content, 0, 4);
            out.write(' ');
            out.write(content, 5, content.length - 5);
            assertThat(out.getPos()).isEqualTo(content.length);
        }

        InputFile input = io.newInputFile(location);
        assertThat(output.location()).isEqualTo(location);
        assertThat(input.location()).isEqualTo(location);
        assertThat(input.exists()).isTrue();
        assertThat(input.getLength()).isEqualTo(content.length);
        try (SeekableInputStream in = input.newStream()) {
            in.seek(5);
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("pages footer PAR1");
        }
        assertThat(Files.readAllBytes(dir.resolve("data/month=2026-11/00000-0.parquet")))
                .isEqualTo(content);
        assertThat(dir.resolve("data/month=2026-11")).isDirectoryNotContaining("glob:**.crc");
    }

    @Test
    void listsEveryFileUnderAPrefixInTheLocationFormGivenWithSizeAndTime() throws IOException {
        Files.createDirectories(dir.resolve("table/data/month=2026-11"));
        Files.writeString(dir.resolve("table/data/month=2026-11/a.parquet"), "12345");
        Files.writeString(dir.resolve("table/metadata.json"), "{}");
        Files.setLastModifiedTime(dir.resolve("table/metadata.json"), FileTime.fromMillis(1_000_000L));
        String prefix = "file:" + dir.resolve("table");

        List<FileInfo> files =
                StreamSupport.stream(io.listPrefix(prefix).spliterator(), false).toList();

        assertThat(files)
                .extracting(FileInfo::location)
                .containsExactlyInAnyOrder(prefix + "/data/month=2026-11/a.parquet", prefix + "/metadata.json");
        assertThat(files)
                .filteredOn(file -> file.location().endsWith("a.parquet"))
                .extracting(FileInfo::size)
                .containsExactly(5L);
        assertThat(files)
                .filteredOn(file -> file.location().endsWith("metadata.json"))
                .extracting(FileInfo::createdAtMillis)
                .containsExactly(1_000_000L);
        assertThat(io.listPrefix(prefix + "/missing")).isEmpty();
    }

    @Test
    void deletesFilesInBulkAndEverythingUnderAPrefix() throws IOException {
        Files.createDirectories(dir.resolve("table/data/month=2026-11"));
        Files.writeString(dir.resolve("table/data/month=2026-11/a.parquet"), "a");
        Files.writeString(dir.resolve("table/data/month=2026-11/b.parquet"), "b");
        Files.writeString(dir.resolve("table/metadata.json"), "{}");

        io.deleteFiles(List.of(
                "file:" + dir.resolve("table/data/month=2026-11/a.parquet"),
                "file:" + dir.resolve("table/data/month=2026-11/gone.parquet")));
        assertThat(dir.resolve("table/data/month=2026-11")).isDirectoryNotContaining("glob:**/a.parquet");
        assertThat(dir.resolve("table/data/month=2026-11/b.parquet")).exists();

        io.deletePrefix("file:" + dir.resolve("table"));
        assertThat(dir.resolve("table")).doesNotExist();
    }

    @Test
    void createRefusesAnExistingFileAndCreateOrOverwriteReplacesIt() throws IOException {
        Path file = dir.resolve("v1.metadata.json");
        Files.writeString(file, "old, and longer than the new content");
        OutputFile output = io.newOutputFile(file.toString());

        assertThatThrownBy(output::create).isInstanceOf(AlreadyExistsException.class);
        try (PositionOutputStream out = output.createOrOverwrite()) {
            out.write("new".getBytes(StandardCharsets.UTF_8));
        }

        assertThat(Files.readString(file)).isEqualTo("new");
    }

    @Test
    void writesParquetThroughOneLoadedHadoopConfigurationWithoutChecksumFiles() throws IOException {
        Schema schema = new Schema(
                Types.NestedField.required(1, "confirmation", Types.StringType.get()),
                Types.NestedField.required(2, "ticket_price", Types.DecimalType.of(10, 2)));
        String first = "file:" + dir.resolve("data/day=2026-11-30/00000-0.parquet");
        String second = "file:" + dir.resolve("data/day=2026-12-01/00000-1.parquet");

        OutputFile output = io.newOutputFile(first);
        GenericRecord row = GenericRecord.create(schema);
        try (FileAppender<Record> appender = Parquet.write(output)
                .schema(schema)
                .createWriterFunc(GenericParquetWriter::create)
                .build()) {
            appender.add(row.copy("confirmation", "ABC123", "ticket_price", new BigDecimal("412.50")));
        }

        // Iceberg's Parquet writer copies a HadoopOutputFile's configuration instead of parsing Hadoop's defaults
        // into a new one for each file.
        assertThat(output).isInstanceOf(HadoopOutputFile.class);
        assertThat(((HadoopOutputFile) io.newOutputFile(second)).getConf())
                .isSameAs(((HadoopOutputFile) output).getConf());
        assertThat(output.location()).isEqualTo(first);
        try (CloseableIterable<Record> rows = Parquet.read(io.newInputFile(first))
                .project(schema)
                .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
                .build()) {
            assertThat(rows).extracting(read -> read.getField("confirmation")).containsExactly("ABC123");
        }
        assertThat(dir.resolve("data/day=2026-11-30")).isDirectoryNotContaining("glob:**.crc");
    }

    @Test
    void writesAFileUriLocationInHadoopsFormAndReadsBothForms() throws IOException {
        Path file = dir.resolve("metadata/v1.metadata.json");

        OutputFile output = io.newOutputFile("file://" + file);
        try (PositionOutputStream out = output.create()) {
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        }

        assertThat(output.location()).isEqualTo("file:" + file);
        assertThat(io.newInputFile("file://" + file).getLength()).isEqualTo(2);
        assertThat(io.newInputFile(output.location()).getLength()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}<path>")
    @ValueSource(strings = {"file:", "file://"})
    void writersCreateTheSameNewDirectoryConcurrently(String scheme) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 100; round++) {
                List<Future<?>> files = new ArrayList<>();
                for (int writer = 0; writer < 8; writer++) {
                    String location = scheme + dir.resolve("round-" + round + "/month=2026-11/file-" + writer);
                    files.add(writers.submit(() -> {
                        io.newOutputFile(location).create().close();
                        return null;
                    }));
                }
                for (Future<?> file : files) {
                    file.get();
                }
            }
        } finally {
            writers.shutdownNow();
        }

        try (var rounds = Files.list(dir)) {
            assertThat(rounds).hasSize(100);
        }
    }

    @Test
    void deletesQuietlyWhenTheFileIsAlreadyGone() throws IOException {
        Path file = Files.writeString(dir.resolve("manifest.avro"), "m");

        io.deleteFile(file.toUri().toString());
        io.deleteFile(file.toUri().toString());

        assertThat(file).doesNotExist();
        assertThat(io.newInputFile(file.toString()).exists()).isFalse();
    }

    @Test
    void readsEveryLocalLocationFormAndRejectsOthers() {
        assertThat(LocalFileIO.path("file:/warehouse/a b/t")).isEqualTo(Path.of("/warehouse/a b/t"));
        assertThat(LocalFileIO.path("file:///warehouse/t")).isEqualTo(Path.of("/warehouse/t"));
        assertThat(LocalFileIO.path("/warehouse/t")).isEqualTo(Path.of("/warehouse/t"));
        assertThat(LocalFileIO.isLocal("s3://bucket/warehouse")).isFalse();
        assertThat(LocalFileIO.isLocal("hdfs://namenode:8020/warehouse")).isFalse();

        assertThatThrownBy(() -> io.newInputFile("s3://bucket/warehouse/t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not a local file location: s3://bucket/warehouse/t");
        assertThatThrownBy(() -> io.newOutputFile("file://otherhost/warehouse/t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("with a host");
    }

    @Test
    void readingAMissingFileFailsNamingIt() {
        String location = dir.resolve("missing.avro").toUri().toString();

        assertThatThrownBy(() -> {
                    try (InputStream in = io.newInputFile(location).newStream()) {
                        in.read();
                    }
                })
                .hasMessageContaining("missing.avro");
    }
}
