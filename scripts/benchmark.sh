#!/usr/bin/env bash
# Measures the pipeline next to Kafka's own performance tools, on this machine, in one run: a Kafka broker and
# a schema registry (each its own JVM), Kafka's ProducerPerformance and ConsumerPerformance, datagen-job
# (at-least-once and exactly-once) and avro-to-iceberg-job (each in a local MiniCluster in its own JVM, profiled
# with JFR). Prints one table of figures, references and ratios; see the README's "Benchmarks" section.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/benchmark.sh [--records N] [--iceberg-job-args "FLAGS"] [--maintenance-args "FLAGS"]

  --records N                  records per airline (default 1000000); e.g. --records 100000 for a quick run
  --iceberg-job-args "FLAGS"   extra avro-to-iceberg-job flags, e.g.
                               "--table-property.write.parquet.compression-codec=snappy"
  --maintenance-args "FLAGS"   maintenance flags of the avro-to-iceberg-job run with maintenance on (it also
                               runs once with --maintenance false); default
                               "--maintenance.check-interval 5s --maintenance.trigger-commits 3"

Results: benchmarks/target/benchmark/benchmark.{md,csv,json}, profiles.txt (JFR hot frames), the *.jfr
recordings and every process's log.
USAGE
}

records=1000000
iceberg_job_args=""
maintenance_args=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --records)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || {
        echo "error: --records needs a positive number" >&2
        exit 2
      }
      records="$2"
      shift 2
      ;;
    --iceberg-job-args)
      [[ $# -ge 2 ]] || {
        echo "error: --iceberg-job-args needs a value" >&2
        exit 2
      }
      iceberg_job_args="$2"
      shift 2
      ;;
    --maintenance-args)
      [[ $# -ge 2 ]] || {
        echo "error: --maintenance-args needs a value" >&2
        exit 2
      }
      maintenance_args="$2"
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "error: unknown argument '$1'" >&2
      usage >&2
      exit 2
      ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Builds what the benchmark needs (-am) and runs only PipelineBenchmark: the other modules' tests and the
# format check are the normal build's business, not the benchmark's.
./mvnw -B -ntp -Pbenchmarks -pl benchmarks -am verify \
  -Dbenchmark.records="$records" \
  -Dbenchmark.iceberg-job.args="$iceberg_job_args" \
  -Dbenchmark.maintenance.args="$maintenance_args" \
  -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=PipelineBenchmark -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dspotless.check.skip=true

results=benchmarks/target/benchmark
echo
cat "$results/benchmark.md"
echo
echo "Results: $results/benchmark.{md,csv,json}; hot frames: $results/profiles.txt"
