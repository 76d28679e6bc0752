package dev.flinkkickstarter.avrotoiceberg;

import dev.flinkkickstarter.common.iceberg.LocalFileIO;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.io.BulkDeletionFailureException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SupportsBulkOperations;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * The job's default FileIO for local warehouses ({@link LocalFileIO}), except that once armed it fails
 * the next creation of one kind of file, once: a storage outage at a chosen point of the write path. Installed through the catalog
 * property {@code io-impl}, so the job under test runs unchanged. State is static because the
 * MiniCluster runs tasks in this JVM and each task opens its own FileIO.
 */
public class FailingOnceFileIO implements FileIO, SupportsBulkOperations, SupportsPrefixOperations {

    private static final long serialVersionUID = 1L;

    private final LocalFileIO delegate = new LocalFileIO();

    /** Which file creation fails. */
    enum Target {
        /** A Parquet data file, written by a writer task between checkpoints. */
        DATA_FILE,
        /** A manifest, written while a checkpoint is taken, before the commit. */
        MANIFEST,
        /**
         * A data file written by a table maintenance compaction run. Iceberg's maintenance operators
         * catch exceptions and report a failed run, so this one fails with an {@link Error}: the task
         * dies mid-compaction, as it would with its TaskManager.
         */
        COMPACTED_DATA_FILE;

        private static final String COMPACTION_WRITER =
                "org.apache.iceberg.flink.maintenance.operator.DataFileRewriteRunner";

        boolean matches(String location) {
            return switch (this) {
                case DATA_FILE -> isDataFile(location);
                case MANIFEST ->
                    location.contains("/metadata/") && location.endsWith(".avro") && !location.contains("snap-");
                case COMPACTED_DATA_FILE -> isDataFile(location) && calledFromCompaction();
            };
        }

        private static boolean isDataFile(String location) {
            return location.contains("/data/") && location.endsWith(".parquet");
        }

        private static boolean calledFromCompaction() {
            return StackWalker.getInstance()
                    .walk(frames ->
                            frames.anyMatch(frame -> frame.getClassName().equals(COMPACTION_WRITER)));
        }
    }

    private static final AtomicReference<Target> ARMED = new AtomicReference<>();
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    /** Fails the next creation of a {@code target} file. */
    static void arm(Target target) {
        FAILED.set(false);
        ARMED.set(target);
    }

    static void disarm() {
        ARMED.set(null);
    }

    /** Whether the armed failure has happened. */
    static boolean hasFailed() {
        return FAILED.get();
    }

    @Override
    public void initialize(Map<String, String> properties) {
        delegate.initialize(properties);
    }

    @Override
    public Map<String, String> properties() {
        return delegate.properties();
    }

    @Override
    public InputFile newInputFile(String path) {
        return delegate.newInputFile(path);
    }

    @Override
    public void deleteFile(String path) {
        delegate.deleteFile(path);
    }

    @Override
    public void deleteFiles(Iterable<String> paths) throws BulkDeletionFailureException {
        delegate.deleteFiles(paths);
    }

    @Override
    public Iterable<FileInfo> listPrefix(String prefix) {
        return delegate.listPrefix(prefix);
    }

    @Override
    public void deletePrefix(String prefix) {
        delegate.deletePrefix(prefix);
    }

    @Override
    public OutputFile newOutputFile(String path) {
        OutputFile file = delegate.newOutputFile(path);
        return new OutputFile() {
            @Override
            public PositionOutputStream create() {
                failIfArmed(path, file);
                return file.create();
            }

            @Override
            public PositionOutputStream createOrOverwrite() {
                failIfArmed(path, file);
                return file.createOrOverwrite();
            }

            @Override
            public String location() {
                return file.location();
            }

            @Override
            public InputFile toInputFile() {
                return file.toInputFile();
            }
        };
    }

    private static void failIfArmed(String path, OutputFile file) {
        Target target = ARMED.get();
        if (target != null && target.matches(path) && ARMED.compareAndSet(target, null)) {
            FAILED.set(true);
            java.io.IOException failure = new java.io.IOException("Injected failure creating " + path);
            if (target == Target.COMPACTED_DATA_FILE) {
                leaveTruncatedFile(file);
                throw new java.io.IOError(failure);
            }
            throw new UncheckedIOException(failure);
        }
    }

    /** What a crash midway through writing leaves behind: the start of a Parquet file, never committed. */
    private static void leaveTruncatedFile(OutputFile file) {
        try (PositionOutputStream out = file.create()) {
            out.write("PAR1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
