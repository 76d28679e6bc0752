#!/usr/bin/env bash
# Measures the pipeline next to what bounds it and what a user would pick instead, on this machine, in one run:
# a Kafka broker and a schema registry (each its own JVM); Kafka's ProducerPerformance and ConsumerPerformance;
# datagen-job (at-least-once and exactly-once) and avro-to-iceberg-job (each in a local MiniCluster in its own
# JVM, profiled with JFR); Iceberg's Kafka Connect sink in a standalone Connect worker; Iceberg's own writer on
# rows held in memory (the write ceiling); the end-to-end latency at a steady rate (with a plot); the smallest heap
# the job needs; the job's decoder next to Avro's own; the heap an upsert writer holds per key. Prints one table of
# figures, references, ratios and targets; see benchmarks/README.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/benchmark.sh [--records N] [--steps LIST] [--latency-seconds S] [--iceberg-job-args "FLAGS"]
                           [--maintenance-args "FLAGS"]

  --records N                  records per airline (default 1000000); e.g. --records 20000 for a quick run
  --steps LIST                 comma-separated, in table order (default: all):
                               datagen, iceberg-job, decoder, maintenance, upsert, upsert-memory, kafka-connect,
                               ceiling, latency, heap
  --latency-seconds S          how long the latency step measures at 20,000 records/s, after a 60 s warm-up
                               (default 120)
  --iceberg-job-args "FLAGS"   extra avro-to-iceberg-job flags, e.g.
                               "--table-property.write.parquet.compression-codec=snappy"
  --maintenance-args "FLAGS"   maintenance flags of the avro-to-iceberg-job run with maintenance on (it also
                               runs once with --maintenance false); default
                               "--maintenance.check-interval 5s --maintenance.trigger-commits 3"

Results: benchmarks/target/benchmark/benchmark.{md,csv,json}, latency.png, profiles.txt (JFR hot frames), the
*.jfr recordings and every process's log.
USAGE
}

records=1000000
steps=all
latency_seconds=120
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
    --steps)
      [[ $# -ge 2 && "$2" =~ ^[a-z,-]+$ ]] || {
        echo "error: --steps needs a comma-separated list of steps" >&2
        exit 2
      }
      steps="$2"
      shift 2
      ;;
    --latency-seconds)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || {
        echo "error: --latency-seconds needs a positive number" >&2
        exit 2
      }
      latency_seconds="$2"
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
  -Dbenchmark.steps="$steps" \
  -Dbenchmark.latency.seconds="$latency_seconds" \
  -Dbenchmark.iceberg-job.args="$iceberg_job_args" \
  -Dbenchmark.maintenance.args="$maintenance_args" \
  -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=PipelineBenchmark -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dspotless.check.skip=true

results=benchmarks/target/benchmark
echo
cat "$results/benchmark.md"
echo
echo "Results: $results/benchmark.{md,csv,json}; latency plot: $results/latency.png; hot frames: $results/profiles.txt"
