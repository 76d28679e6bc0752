package dev.flinkkickstarter.avrotoiceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.config.JobArguments;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TableMaintenanceSettingsTest {

    @Test
    void onByDefaultWithIcebergsOrphanAgeAndTheJobsTargetFileSize() {
        TableMaintenanceSettings settings = AvroToIcebergOptions.from(JobArguments.parse("--target-file-size", "128mb"))
                .maintenance();

        assertThat(settings.enabled()).isTrue();
        assertThat(settings.checkInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.triggerCommits()).isEqualTo(10);
        assertThat(settings.triggerInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.keepSnapshots()).isEqualTo(20);
        assertThat(settings.snapshotMaxAge()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.orphanMinAge()).isEqualTo(Duration.ofDays(3));
        assertThat(settings.orphanCleanupInterval()).isEqualTo(Duration.ofDays(1));
        assertThat(settings.targetFileSizeBytes()).contains(128L << 20);
    }

    @Test
    void readsEveryFlagAndCanBeSwitchedOff() {
        TableMaintenanceSettings settings = parse(
                "--maintenance", "false",
                "--maintenance.check-interval", "5s",
                "--maintenance.trigger-commits", "3",
                "--maintenance.trigger-interval", "10min",
                "--maintenance.keep-snapshots", "50",
                "--maintenance.snapshot-max-age", "6h",
                "--maintenance.orphan-min-age", "2d",
                "--maintenance.orphan-cleanup-interval", "12h");

        assertThat(settings.enabled()).isFalse();
        assertThat(settings.checkInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.triggerCommits()).isEqualTo(3);
        assertThat(settings.triggerInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.keepSnapshots()).isEqualTo(50);
        assertThat(settings.snapshotMaxAge()).isEqualTo(Duration.ofHours(6));
        assertThat(settings.orphanMinAge()).isEqualTo(Duration.ofDays(2));
        assertThat(settings.orphanCleanupInterval()).isEqualTo(Duration.ofHours(12));
        assertThat(settings.targetFileSizeBytes()).isEmpty();
    }

    @Test
    void runsInTheIngestionJobOffOrInAJobOfItsOwn() {
        assertThat(parse().enabled()).isTrue();
        assertThat(parse().only()).isFalse();
        assertThat(parse("--maintenance", "true").only()).isFalse();
        assertThat(parse("--maintenance", "false").only()).isFalse();
        assertThat(parse("--maintenance", "only").enabled()).isTrue();
        assertThat(parse("--maintenance", "only").only()).isTrue();
        assertThatThrownBy(() -> parse("--maintenance", "separate"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--maintenance must be true, false or only, but was 'separate'");
    }

    @Test
    void refusesAnOrphanAgeThatCouldDeleteFilesOfACheckpointNotCommittedYet() {
        assertThatThrownBy(() -> AvroToIcebergOptions.from(
                        JobArguments.parse("--checkpoint-interval", "1min", "--maintenance.orphan-min-age", "9min")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--maintenance.orphan-min-age must be at least 10 checkpoint intervals (PT10M)");
        assertThat(AvroToIcebergOptions.from(JobArguments.parse(
                                "--checkpoint-interval", "1min", "--maintenance.orphan-min-age", "10min"))
                        .maintenance()
                        .orphanMinAge())
                .isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void refusesSettingsIcebergCannotHonourSafely() {
        assertThatThrownBy(() -> parse("--maintenance.keep-snapshots", "4"))
                .hasMessageContaining("--maintenance.keep-snapshots must be at least 5");
        assertThatThrownBy(() -> parse("--maintenance.check-interval", "1500ms"))
                .hasMessageContaining("--maintenance.check-interval must be whole seconds");
        assertThatThrownBy(() -> parse("--maintenance.check-interval", "0s"))
                .hasMessageContaining("--maintenance.check-interval must be whole seconds");
        assertThatThrownBy(() -> parse("--maintenance.trigger-commits", "0"))
                .hasMessageContaining("--maintenance.trigger-commits must be positive");
        assertThatThrownBy(() -> parse("--maintenance.snapshot-max-age", "0s"))
                .hasMessageContaining("--maintenance.snapshot-max-age must be positive");
        assertThatThrownBy(() -> parse("--maintenance.compaction", "off"))
                .hasMessageContaining("Unknown flag(s) --maintenance.compaction");
    }

    private static TableMaintenanceSettings parse(String... args) {
        return AvroToIcebergOptions.from(JobArguments.parse(args)).maintenance();
    }
}
