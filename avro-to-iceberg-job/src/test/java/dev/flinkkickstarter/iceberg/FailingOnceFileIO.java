package dev.flinkkickstarter.iceberg;

import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;

/**
 * Iceberg's local-disk FileIO, except that once armed it fails the next creation of one kind of
 * file, once: a storage outage at a chosen point of the write path. Installed through the catalog
 * property {@code io-impl}, so the job under test runs unchanged. State is static because the
 * MiniCluster runs tasks in this JVM and each task opens its own FileIO.
 */
public class FailingOnceFileIO extends HadoopFileIO {

    private static final long serialVersionUID = 1L;

    /** Which file creation fails. */
    enum Target {
        /** A Parquet data file, written by a writer task between checkpoints. */
        DATA_FILE,
        /** A manifest, written while a checkpoint is taken, before the commit. */
        MANIFEST;

        boolean matches(String location) {
            return switch (this) {
                case DATA_FILE -> location.contains("/data/") && location.endsWith(".parquet");
                case MANIFEST ->
                    location.contains("/metadata/") && location.endsWith(".avro") && !location.contains("snap-");
            };
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
    public OutputFile newOutputFile(String path) {
        OutputFile file = super.newOutputFile(path);
        return new OutputFile() {
            @Override
            public PositionOutputStream create() {
                failIfArmed(path);
                return file.create();
            }

            @Override
            public PositionOutputStream createOrOverwrite() {
                failIfArmed(path);
                return file.createOrOverwrite();
            }

            @Override
            public String location() {
                return file.location();
            }

            @Override
            public org.apache.iceberg.io.InputFile toInputFile() {
                return file.toInputFile();
            }
        };
    }

    private static void failIfArmed(String path) {
        Target target = ARMED.get();
        if (target != null && target.matches(path) && ARMED.compareAndSet(target, null)) {
            FAILED.set(true);
            throw new UncheckedIOException(new java.io.IOException("Injected failure creating " + path));
        }
    }
}
