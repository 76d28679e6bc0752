package dev.flinkkickstarter.avrotoiceberg;

import java.nio.file.Files;
import java.nio.file.Paths;

/** The {@code lib/} directory of a server that a local-runtime module assembles, for tests that start it. */
final class LocalRuntimeLib {

    private LocalRuntimeLib() {}

    /**
     * The classpath {@code <lib>/*} of the directory a system property names (the module's POM sets it for
     * Failsafe), checked to exist.
     */
    static String classpath(String property, String module) {
        String lib = System.getProperty(property);
        if (lib == null || !Files.isDirectory(Paths.get(lib))) {
            throw new IllegalStateException("System property " + property + " must name the lib directory built by "
                    + module + ", but is " + lib);
        }
        return lib + "/*";
    }
}
