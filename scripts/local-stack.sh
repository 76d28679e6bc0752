#!/usr/bin/env bash
# Starts, stops and reports the local runtime: a Kafka broker (KRaft), the schema registry (Apicurio, with
# the Confluent API), a Flink session cluster (JobManager + TaskManagers) and, with --warehouse s3, an S3
# API server (S3Proxy) and an Iceberg REST catalog, each its own JVM, built from Maven artifacts by
# `./mvnw package`. State lives in .local/ (or --state-dir).
set -euo pipefail

# shellcheck source=scripts/lib/local-runtime.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/local-runtime.sh"

usage() {
  cat <<EOF
Usage: scripts/local-stack.sh start|stop|status [options]

  start    Start every component that is not running (Kafka, schema registry, Flink JobManager,
           TaskManagers) and wait until each is ready. Safe to re-run: running components are left
           alone, a crashed or killed one is started again. Starting a stopped stack starts it fresh:
           Kafka data, checkpoints and Iceberg tables of the previous run are removed (the registry
           keeps schemas in memory, so old records could not be decoded any more).
  stop     Stop every component (by pid; SIGKILL after 30 s).
  status   Show each component, the Flink jobs and the URLs.

Options (start; the values a stack was started with are remembered in <state dir>/stack.env):
  --kafka-port N             Kafka bootstrap port (default $KAFKA_PORT)
  --kafka-controller-port N  Kafka KRaft controller port (default $KAFKA_CONTROLLER_PORT)
  --registry-port N          schema registry port (default $REGISTRY_PORT)
  --flink-port N             Flink REST API and web UI port (default $FLINK_REST_PORT)
  --flink-rpc-port N         Flink JobManager RPC port (default $FLINK_RPC_PORT)
  --taskmanagers N           number of TaskManagers, 2 slots each (default $TASKMANAGERS)
  --warehouse local|s3       local (default): the hadoop catalog in <state dir>/warehouse.
                             s3: an Iceberg REST catalog with its warehouse in the bucket
                             s3://$S3_BUCKET/ of an S3 API server (S3Proxy, files in <state dir>/s3), written
                             through Iceberg's S3FileIO: the Docker stack's and AWS's shape
  --s3-port N                S3 API port with --warehouse s3 (default $S3_PORT)
  --rest-catalog-port N      Iceberg REST catalog port with --warehouse s3 (default $REST_CATALOG_PORT)
Options (all commands):
  --state-dir DIR            where logs, pids, data live (default .local/; env LOCAL_STACK_DIR)
  -h, --help                 this help

Build first: ./mvnw -DskipTests package (scripts/run-pipeline.sh does everything for you).
EOF
}

# ---- Kafka -------------------------------------------------------------------------------------------

start_kafka() {
  local conf_dir="$STATE_DIR/conf/kafka" data_dir="$STATE_DIR/kafka-data" conf cluster_id
  conf="$conf_dir/server.properties"
  mkdir -p "$conf_dir" "$data_dir"
  cp "$KAFKA_CONF_TEMPLATE/server.properties" "$KAFKA_CONF_TEMPLATE/log4j2.properties" "$conf_dir/"
  set_config "$conf" = listeners "PLAINTEXT://localhost:$KAFKA_PORT,CONTROLLER://localhost:$KAFKA_CONTROLLER_PORT"
  set_config "$conf" = advertised.listeners "PLAINTEXT://localhost:$KAFKA_PORT"
  set_config "$conf" = controller.quorum.voters "1@localhost:$KAFKA_CONTROLLER_PORT"
  set_config "$conf" = log.dirs "$data_dir"

  local kafka_jvm=(-Xms256m -Xmx512m -XX:+UseG1GC "-Dkafka.logs.dir=$STATE_DIR/logs"
    "-Dlog4j2.configurationFile=file:$conf_dir/log4j2.properties" -cp "$KAFKA_LIB/*")
  if [[ ! -f "$data_dir/meta.properties" ]]; then
    cluster_id="$(java "${kafka_jvm[@]}" kafka.tools.StorageTool random-uuid)" ||
      die "Kafka's StorageTool failed (see above)"
    java "${kafka_jvm[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$conf" \
      >>"$(log_file kafka-format)" 2>&1 ||
      {
        show_log_tail kafka-format
        die "formatting Kafka's storage failed"
      }
  fi
  launch kafka "${kafka_jvm[@]}" kafka.Kafka "$conf"
  wait_for kafka 60 "Kafka on $(bootstrap_servers)" port_in_use "$KAFKA_PORT"
}

# ---- Schema registry ---------------------------------------------------------------------------------

start_registry() {
  [[ -f "$REGISTRY_JAR" ]] || die "$REGISTRY_JAR is missing: run ./mvnw -DskipTests package"
  # Compatibility BACKWARD, as Confluent's registry has by default (Apicurio's default is none).
  launch registry -Xmx128m -XX:+UseSerialGC \
    "-Dquarkus.http.host=127.0.0.1" "-Dquarkus.http.port=$REGISTRY_PORT" \
    -Dregistry.rules.global.compatibility=BACKWARD \
    -jar "$REGISTRY_JAR"
  wait_for registry 90 "schema registry on $(registry_url)" http_ok "$(registry_url)/subjects"
}

# ---- S3 warehouse (--warehouse s3) -------------------------------------------------------------------

start_s3proxy() {
  local conf="$STATE_DIR/conf/s3proxy.properties"
  mkdir -p "$STATE_DIR/conf" "$STATE_DIR/s3/$S3_BUCKET"
  # The filesystem backend keeps each bucket as a directory under the base directory (its jclouds
  # identity and credential are required but unused).
  cat >"$conf" <<EOF
s3proxy.endpoint=$(s3_endpoint)
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem-nio2
jclouds.identity=local
jclouds.credential=local
jclouds.filesystem.basedir=$STATE_DIR/s3
EOF
  launch s3proxy -Xmx256m -XX:+UseSerialGC "-Dlogback.configurationFile=$S3PROXY_LOGBACK" \
    -cp "$S3PROXY_LIB/*" org.gaul.s3proxy.Main --properties "$conf"
  wait_for s3proxy 90 "S3 API (S3Proxy) on $(s3_endpoint)" port_in_use "$S3_PORT"
}

start_rest_catalog() {
  local endpoint
  endpoint="$(s3_endpoint)"
  # Configured like Iceberg's REST fixture image (CATALOG_<PROPERTY>), as docker/compose.yaml does; the
  # keys come from the AWS_* variables (export_s3_environment).
  (
    export CATALOG_REST_PORT="$REST_CATALOG_PORT" CATALOG_WAREHOUSE="s3://$S3_BUCKET/" \
      CATALOG_IO__IMPL=org.apache.iceberg.aws.s3.S3FileIO CATALOG_S3_ENDPOINT="$endpoint" \
      CATALOG_S3_PATH__STYLE__ACCESS=true
    launch iceberg-rest -Xmx256m -XX:+UseSerialGC -cp "$REST_CATALOG_LIB/*" \
      dev.flinkkickstarter.localruntime.IcebergRestCatalogServer
  )
  wait_for iceberg-rest 90 "Iceberg REST catalog on $(rest_catalog_url)" http_ok "$(rest_catalog_url)v1/config"
}

# ---- Flink -------------------------------------------------------------------------------------------

render_flink_conf() {
  local conf_dir conf
  conf_dir="$(flink_conf_dir)"
  conf="$conf_dir/config.yaml"
  mkdir -p "$conf_dir"
  cp "$FLINK_CONF_TEMPLATE"/* "$conf_dir/"
  set_config "$conf" ': ' rest.port "$FLINK_REST_PORT"
  set_config "$conf" ': ' jobmanager.rpc.port "$FLINK_RPC_PORT"
  set_config "$conf" ': ' execution.checkpointing.dir "file://$STATE_DIR/checkpoints"
  set_config "$conf" ': ' execution.checkpointing.savepoint-dir "file://$STATE_DIR/savepoints"
  set_config "$conf" ': ' io.tmp.dirs "$STATE_DIR/flink-tmp"
  set_config "$conf" ': ' web.tmpdir "$STATE_DIR/flink-tmp/web"
  set_config "$conf" ': ' web.upload.dir "$STATE_DIR/flink-tmp/web-upload"
  mkdir -p "$STATE_DIR/flink-tmp/web-upload" "$STATE_DIR/checkpoints"
}

# The add-opens list every Flink JVM needs (config.yaml's env.java.opts.all).
flink_java_opts() {
  sed -n 's/^env\.java\.opts\.all: *//p' "$(flink_conf_dir)/config.yaml"
}

# Flink's BashJavaUtils turns the memory configuration into JVM flags (line 1) and the derived
# configuration (line 2), as Flink's own start scripts do. Usage: resource_params GET_JM_RESOURCE_PARAMS
resource_params() {
  local output
  output="$(java -cp "$FLINK_LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" \
    --configDir "$(flink_conf_dir)" 2>&1)" || {
    say "$output" | tail -n 20 >&2
    die "Flink could not derive its memory settings from $(flink_conf_dir)/config.yaml"
  }
  grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$output" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

# Usage: start_flink_process NAME RESOURCE_COMMAND MAIN_CLASS [extra dynamic properties...]
start_flink_process() {
  local name="$1" resource_command="$2" main_class="$3" params jvm_flags dynamic_properties
  shift 3
  params="$(resource_params "$resource_command")"
  jvm_flags="$(sed -n 1p <<<"$params")"
  dynamic_properties="$(sed -n 2p <<<"$params")"
  local -a java_opts jvm dynamic
  read -r -a java_opts <<<"$(flink_java_opts)"
  read -r -a jvm <<<"$jvm_flags"
  read -r -a dynamic <<<"$dynamic_properties"
  launch "$name" ${jvm[@]+"${jvm[@]}"} ${java_opts[@]+"${java_opts[@]}"} \
    "-Dlog.file=$(log_file "$name")" "-Dlog4j.configurationFile=file:$(flink_conf_dir)/log4j.properties" \
    -cp "$FLINK_LIB/*" "$main_class" --configDir "$(flink_conf_dir)" ${dynamic[@]+"${dynamic[@]}"} "$@"
}

start_jobmanager() {
  start_flink_process jobmanager GET_JM_RESOURCE_PARAMS \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
  wait_for jobmanager 90 "Flink JobManager on $(flink_rest_url)" http_ok "$(flink_rest_url)/overview"
}

taskmanager_registered() {
  curl -fsS --max-time 3 "$(flink_rest_url)/taskmanagers" 2>/dev/null | grep -q "\"id\":\"$1\""
}

start_taskmanager() {
  local name="$1" resource_id
  # A fresh id per process: the replacement of a killed TaskManager is told apart from the dead one,
  # which the JobManager still lists until its heartbeat times out.
  resource_id="$name-$(date +%s)"
  start_flink_process "$name" GET_TM_RESOURCE_PARAMS org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    -D "taskmanager.resource-id=$resource_id"
  wait_for "$name" 90 "Flink $name to register" taskmanager_registered "$resource_id"
}

# ---- Commands ----------------------------------------------------------------------------------------

any_running() {
  local name
  while read -r name; do
    if running_pid "$name" >/dev/null; then return 0; fi
  done < <(all_components)
  return 1
}

check_built() {
  local missing=""
  [[ -d "$FLINK_LIB" ]] || missing+=" $FLINK_LIB"
  [[ -d "$KAFKA_LIB" ]] || missing+=" $KAFKA_LIB"
  [[ -f "$REGISTRY_JAR" ]] || missing+=" $REGISTRY_JAR"
  if [[ "$WAREHOUSE" == s3 ]]; then
    [[ -d "$S3PROXY_LIB" ]] || missing+=" $S3PROXY_LIB"
    [[ -d "$REST_CATALOG_LIB" ]] || missing+=" $REST_CATALOG_LIB"
  fi
  [[ -z "$missing" ]] || die "not built yet (${missing# } missing): run ./mvnw -DskipTests package"
}

# Ports named on the command line must match a running stack's: two stacks in one state dir would
# share pid files.
check_requested_ports() {
  local setting var
  for setting in ${requested[@]+"${requested[@]}"}; do
    var="${setting%%=*}"
    [[ "${setting#*=}" == "${!var}" ]] ||
      die "the stack in $STATE_DIR is running with $var=${!var}; stop it first to change it"
  done
}

apply_requested_ports() {
  local setting
  for setting in ${requested[@]+"${requested[@]}"}; do printf -v "${setting%%=*}" '%s' "${setting#*=}"; done
}

port_of() {
  case "$1" in
    kafka) printf '%s' "$KAFKA_PORT" ;;
    registry) printf '%s' "$REGISTRY_PORT" ;;
    jobmanager) printf '%s' "$FLINK_REST_PORT" ;;
    s3proxy) printf '%s' "$S3_PORT" ;;
    iceberg-rest) printf '%s' "$REST_CATALOG_PORT" ;;
    *) printf '' ;;
  esac
}

check_ports_free() {
  local var port option
  for option in "KAFKA_PORT:--kafka-port" "KAFKA_CONTROLLER_PORT:--kafka-controller-port" \
    "REGISTRY_PORT:--registry-port" "FLINK_REST_PORT:--flink-port" "FLINK_RPC_PORT:--flink-rpc-port" \
    "S3_PORT:--s3-port" "REST_CATALOG_PORT:--rest-catalog-port"; do
    var="${option%%:*}"
    if [[ "$WAREHOUSE" != s3 && ("$var" == S3_PORT || "$var" == REST_CATALOG_PORT) ]]; then continue; fi
    port="${!var}"
    if port_in_use "$port"; then
      die "port $port is in use by another process: stop it, or choose another port with ${option#*:} N"
    fi
  done
}

cmd_start() {
  load_stack_settings
  if any_running; then
    check_requested_ports
  else
    apply_requested_ports
    check_built
    check_ports_free
    # A fresh start (see --help): nothing of an earlier run is reused.
    rm -rf "$STATE_DIR/kafka-data" "$STATE_DIR/checkpoints" "$STATE_DIR/savepoints" "$STATE_DIR/warehouse" \
      "$STATE_DIR/s3" "$STATE_DIR/flink-tmp" "$STATE_DIR/logs" "$STATE_DIR/pids"
    save_stack_settings
  fi
  # The Flink processes write the S3 warehouse's data files through S3FileIO (the AWS SDK's default
  # credentials), the REST catalog its metadata.
  if [[ "$WAREHOUSE" == s3 ]]; then export_s3_environment; fi
  say "Local stack in $STATE_DIR"

  local name pid
  while read -r name; do
    if pid="$(running_pid "$name")"; then
      say "  $name is already running (pid $pid)"
      continue
    fi
    if crashed "$name"; then
      say "  $name had stopped (killed or crashed); starting it again"
    fi
    say "  starting $name"
    case "$name" in
      kafka) start_kafka ;;
      registry) start_registry ;;
      s3proxy) start_s3proxy ;;
      iceberg-rest) start_rest_catalog ;;
      jobmanager)
        render_flink_conf
        start_jobmanager
        ;;
      taskmanager-*) start_taskmanager "$name" ;;
    esac
  done < <(all_components)
  say "Ready: Kafka $(bootstrap_servers), schema registry $(registry_url), Flink UI $(flink_rest_url)"
  if [[ "$WAREHOUSE" == s3 ]]; then
    say "Iceberg: REST catalog $(rest_catalog_url), warehouse s3://$S3_BUCKET/ on $(s3_endpoint)"
  fi
}

stop_component() {
  local name="$1" pid waited=0
  if ! pid="$(running_pid "$name")"; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  printf '  stopping %s (pid %s) ' "$name" "$pid"
  kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 30)); then
      printf ' still running after 30s, killing'
      kill -9 "$pid" 2>/dev/null || true
      break
    fi
    printf '.'
    sleep 1
    waited=$((waited + 1))
  done
  say ' stopped'
  rm -f "$(pid_file "$name")"
}

cmd_stop() {
  load_stack_settings
  local file i
  # TaskManagers first (also any beyond the current count), then the rest in reverse start order.
  for file in "$STATE_DIR"/pids/taskmanager-*.pid; do
    [[ -e "$file" ]] || continue
    stop_component "$(basename "$file" .pid)"
  done
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop_component "${COMPONENTS[$i]}"
  done
  say "Local stack stopped (data and logs stay in $STATE_DIR until the next start)"
}

cmd_status() {
  load_stack_settings
  local name pid port unhealthy=0
  say "Local stack in $STATE_DIR"
  while read -r name; do
    port="$(port_of "$name")"
    if pid="$(running_pid "$name")"; then
      say "  $(printf '%-14s' "$name") running  pid $pid${port:+  port $port}"
    elif crashed "$name"; then
      say "  $(printf '%-14s' "$name") DEAD     (its pid file remains: it crashed or was killed)"
      show_log_tail "$name"
      unhealthy=1
    else
      say "  $(printf '%-14s' "$name") stopped"
      unhealthy=1
    fi
  done < <(all_components)
  if running_pid jobmanager >/dev/null; then
    say "Flink UI: $(flink_rest_url)"
    say "Jobs:"
    flink_jobs | sed 's/^/  /' || say "  (the JobManager did not answer)"
  fi
  return "$unhealthy"
}

main() {
  local command=""
  # VAR=value per setting named on the command line (bash 3.2, macOS's, has no associative arrays).
  requested=()
  while (($#)); do
    case "$1" in
      start | stop | status) command="$1" ;;
      --kafka-port) requested+=("KAFKA_PORT=${2:?--kafka-port needs a value}") && shift ;;
      --kafka-controller-port) requested+=("KAFKA_CONTROLLER_PORT=${2:?--kafka-controller-port needs a value}") && shift ;;
      --registry-port) requested+=("REGISTRY_PORT=${2:?--registry-port needs a value}") && shift ;;
      --flink-port) requested+=("FLINK_REST_PORT=${2:?--flink-port needs a value}") && shift ;;
      --flink-rpc-port) requested+=("FLINK_RPC_PORT=${2:?--flink-rpc-port needs a value}") && shift ;;
      --taskmanagers) requested+=("TASKMANAGERS=${2:?--taskmanagers needs a value}") && shift ;;
      --warehouse) requested+=("WAREHOUSE=${2:?--warehouse needs a value}") && shift ;;
      --s3-port) requested+=("S3_PORT=${2:?--s3-port needs a value}") && shift ;;
      --rest-catalog-port) requested+=("REST_CATALOG_PORT=${2:?--rest-catalog-port needs a value}") && shift ;;
      --state-dir) set_state_dir "${2:?--state-dir needs a value}" && shift ;;
      -h | --help)
        usage
        return 0
        ;;
      *)
        usage >&2
        die "unknown argument: $1"
        ;;
    esac
    shift
  done
  local setting
  for setting in ${requested[@]+"${requested[@]}"}; do
    case "$setting" in
      WAREHOUSE=local | WAREHOUSE=s3) ;;
      WAREHOUSE=*) die "--warehouse must be local or s3, got '${setting#*=}'" ;;
      *) [[ "${setting#*=}" =~ ^[0-9]+$ ]] || die "${setting%%=*} must be a number, got '${setting#*=}'" ;;
    esac
  done
  [[ -n "$command" ]] || {
    usage >&2
    exit 2
  }
  case "$command" in
    start)
      require_java
      cmd_start
      ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
  esac
}

main "$@"
