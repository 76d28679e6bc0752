package dev.flinkkickstarter.common.iceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.RuntimeIOException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * Iceberg files on the local file system, through {@code java.nio}. The default, Hadoop's local file
 * system, starts a {@code chmod} process for every file it creates and again for its {@code .crc}
 * checksum file, because Hadoop's native library is not in its Maven artifacts: about 7 ms each, for
 * every data file, manifest and metadata file, blocking the writer at each checkpoint.
 *
 * <p>Locations keep the form Iceberg gives them ({@code file:/...}, {@code file:///...} or a plain
 * absolute path), so tables stay readable by {@code HadoopFileIO} and any other engine.
 */
public final class LocalFileIO implements FileIO {

    private static final long serialVersionUID = 1L;
    /** A URI scheme such as {@code s3:} or {@code hdfs:}: the location is on another file system. */
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    private Map<String, String> properties = Map.of();

    @Override
    public void initialize(Map<String, String> catalogProperties) {
        this.properties = Map.copyOf(catalogProperties);
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public InputFile newInputFile(String location) {
        return new LocalInput(location, path(location));
    }

    @Override
    public OutputFile newOutputFile(String location) {
        return new LocalOutput(location, path(location));
    }

    @Override
    public void deleteFile(String location) {
        try {
            Files.deleteIfExists(path(location));
        } catch (IOException e) {
            throw new RuntimeIOException(e, "Failed to delete file: %s", location);
        }
    }

    /** Whether {@code location} is on the local file system: a {@code file:} URI or a scheme-less path. */
    public static boolean isLocal(String location) {
        checkNotNull(location, "location");
        return location.startsWith("file:") || !SCHEME.matcher(location).find();
    }

    /**
     * The path of a local location. Not parsed as a URI: Iceberg and Hadoop build locations by
     * concatenation, so characters such as spaces appear unescaped.
     */
    static Path path(String location) {
        checkArgument(isLocal(location), "Not a local file location: %s", location);
        String path = location;
        if (path.startsWith("file://")) {
            path = path.substring("file://".length());
            checkArgument(path.startsWith("/"), "A file URI with a host is not a local location: %s", location);
        } else if (path.startsWith("file:")) {
            path = path.substring("file:".length());
        }
        return Path.of(path);
    }

    private record LocalInput(String location, Path path) implements InputFile {

        @Override
        public long getLength() {
            return delegate().getLength();
        }

        @Override
        public SeekableInputStream newStream() {
            return delegate().newStream();
        }

        @Override
        public boolean exists() {
            return Files.exists(path);
        }

        private InputFile delegate() {
            return org.apache.iceberg.Files.localInput(path.toFile());
        }
    }

    private record LocalOutput(String location, Path path) implements OutputFile {

        @Override
        public PositionOutputStream create() {
            return open(StandardOpenOption.CREATE_NEW);
        }

        @Override
        public PositionOutputStream createOrOverwrite() {
            return open(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        }

        @Override
        public InputFile toInputFile() {
            return new LocalInput(location, path);
        }

        private PositionOutputStream open(StandardOpenOption... options) {
            try {
                // Idempotent, unlike File.mkdirs(): writers of the same partition create its directory concurrently.
                Files.createDirectories(path.toAbsolutePath().getParent());
                OutputStream file = Files.newOutputStream(path, options);
                return new BufferedPositionOutputStream(file);
            } catch (FileAlreadyExistsException e) {
                throw new AlreadyExistsException(e, "File already exists: %s", location);
            } catch (IOException e) {
                throw new RuntimeIOException(e, "Failed to create file: %s", location);
            }
        }
    }

    /** Buffered: Parquet writes page headers and footers a few bytes at a time. */
    private static final class BufferedPositionOutputStream extends PositionOutputStream {

        private static final int BUFFER_SIZE = 64 * 1024;

        private final OutputStream out;
        private long position;

        BufferedPositionOutputStream(OutputStream file) {
            this.out = new BufferedOutputStream(file, BUFFER_SIZE);
        }

        @Override
        public long getPos() {
            return position;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            position++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            position += length;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
