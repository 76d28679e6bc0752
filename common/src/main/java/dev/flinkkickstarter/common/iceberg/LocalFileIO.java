package dev.flinkkickstarter.common.iceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.iceberg.exceptions.RuntimeIOException;
import org.apache.iceberg.hadoop.HadoopOutputFile;
import org.apache.iceberg.io.BulkDeletionFailureException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.io.SupportsBulkOperations;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Iceberg files on the local file system, without Hadoop's {@code LocalFileSystem}: that one starts a {@code chmod}
 * process for every file it creates and again for its {@code .crc} checksum file, because Hadoop's native library
 * is not in its Maven artifacts: about 7 ms each, for every data file, manifest and metadata file, blocking the
 * writer at each checkpoint. Files are read through {@code java.nio}. They are written through Hadoop's {@code
 * RawLocalFileSystem} (no checksum files; no {@code chmod} where no permission is asked for), handed out as
 * Iceberg's {@link HadoopOutputFile} with one Hadoop {@link Configuration} for the JVM, loaded once: Iceberg's
 * Parquet writer copies the configuration of a {@code HadoopOutputFile} but creates a new one for any other output
 * file, and a new one parses Hadoop's default configuration (XML) again, for every data file. With day partitions
 * a checkpoint writes thousands of data files; that parsing took most of the job's CPU.
 *
 * <p>Files are read at the location as given ({@code file:/...}, {@code file:///...} or a plain absolute path); a
 * written file's location is in Hadoop's form ({@code file:///...} becomes {@code file:/...}), as {@code
 * HadoopFileIO} writes it, so tables stay readable by {@code HadoopFileIO} and any other engine, and orphan-file
 * removal, which compares locations as Hadoop paths, sees them as the same files.
 */
public final class LocalFileIO implements FileIO, SupportsBulkOperations, SupportsPrefixOperations {

    private static final long serialVersionUID = 1L;
    /** A URI scheme such as {@code s3:} or {@code hdfs:}: the location is on another file system. */
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    private static final int BUFFER_SIZE = 64 * 1024;

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
        path(location); // refuses a location that is not local
        return HadoopOutputFile.fromPath(
                new org.apache.hadoop.fs.Path(location), HadoopLocal.FILE_SYSTEM, HadoopLocal.CONFIGURATION);
    }

    @Override
    public void deleteFile(String location) {
        try {
            Files.deleteIfExists(path(location));
        } catch (IOException e) {
            throw new RuntimeIOException(e, "Failed to delete file: %s", location);
        }
    }

    /** Deletes each file; table maintenance (snapshot expiry, orphan-file removal) deletes through this. */
    @Override
    public void deleteFiles(Iterable<String> locations) throws BulkDeletionFailureException {
        int failures = 0;
        for (String location : locations) {
            try {
                deleteFile(location);
            } catch (RuntimeIOException e) {
                failures++;
            }
        }
        if (failures > 0) {
            throw new BulkDeletionFailureException(failures);
        }
    }

    /**
     * Every file under the directory {@code prefix} (or {@code prefix} itself if it is a file), located
     * as {@code prefix} plus the relative path, so the locations have the form the table's metadata uses;
     * orphan-file removal compares the two. A local modification time stands in for the creation time.
     */
    @Override
    public Iterable<FileInfo> listPrefix(String prefix) {
        Path root = path(prefix);
        if (!Files.exists(root)) {
            return List.of();
        }
        String base = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        List<FileInfo> files = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path file : (Iterable<Path>) paths::iterator) {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                if (attributes.isRegularFile()) {
                    String relative = root.relativize(file).toString().replace('\\', '/');
                    files.add(new FileInfo(
                            relative.isEmpty() ? base : base + "/" + relative,
                            attributes.size(),
                            attributes.lastModifiedTime().toMillis()));
                }
            }
        } catch (IOException e) {
            throw new RuntimeIOException(e, "Failed to list files under: %s", prefix);
        }
        return files;
    }

    @Override
    public void deletePrefix(String prefix) {
        Path root = path(prefix);
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            // Deepest first, so each directory is empty when its turn comes.
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new RuntimeIOException(e, "Failed to delete everything under: %s", prefix);
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

    /**
     * One {@link Configuration} for every file this JVM writes, loaded once and never changed: readers copy it. Its
     * {@code file:} file system is {@code RawLocalFileSystem}, uncached, so Parquet's own lookup of a file system for
     * the path gets that one too, not a cached {@code LocalFileSystem}.
     */
    private static final class HadoopLocal {

        static final Configuration CONFIGURATION = loadConfiguration();
        static final FileSystem FILE_SYSTEM = fileSystem();

        private static Configuration loadConfiguration() {
            Configuration configuration = new Configuration();
            configuration.set("fs.file.impl", RawLocalFileSystem.class.getName());
            configuration.setBoolean("fs.file.impl.disable.cache", true);
            // Iceberg writes manifests and metadata a few bytes at a time.
            configuration.setInt(CommonConfigurationKeysPublic.IO_FILE_BUFFER_SIZE_KEY, BUFFER_SIZE);
            configuration.size(); // parses the defaults now, once: copies then clone the parsed properties
            return configuration;
        }

        private static FileSystem fileSystem() {
            RawLocalFileSystem fileSystem = new RawLocalFileSystem();
            try {
                fileSystem.initialize(URI.create("file:///"), CONFIGURATION);
            } catch (IOException e) {
                throw new UncheckedIOException("Failed to set up the local file system", e);
            }
            return fileSystem;
        }
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
}
