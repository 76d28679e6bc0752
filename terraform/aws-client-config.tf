# What the jobs read at startup (--config-source aws): two Secrets Manager secrets holding the
# credentials and endpoints, and one SSM parameter per Kafka client property. The names and JSON keys
# must match common/src/main/resources/aws-contract.json; scripts/check-static.sh compares them.
# secret_string is always jsonencode(local.<map>) so that check can read the keys.

locals {
  newest_jobs_kafka_key           = confluent_api_key.jobs_kafka[local.newest_api_key_generation]
  newest_jobs_schema_registry_key = confluent_api_key.jobs_schema_registry[local.newest_api_key_generation]

  kafka_client_secret = {
    "bootstrap.servers" = trimprefix(confluent_kafka_cluster.kickstarter.bootstrap_endpoint, "SASL_SSL://")
    "sasl.jaas.config"  = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"${local.newest_jobs_kafka_key.id}\" password=\"${local.newest_jobs_kafka_key.secret}\";"
  }

  schema_registry_client_secret = {
    "schema.registry.url"           = data.confluent_schema_registry_cluster.kickstarter.rest_endpoint
    "basic.auth.credentials.source" = "USER_INFO"
    "basic.auth.user.info"          = "${local.newest_jobs_schema_registry_key.id}:${local.newest_jobs_schema_registry_key.secret}"
  }

  consumer_kafka_client_properties = {
    "auto.commit.interval.ms"       = "1000"
    "auto.offset.reset"             = var.auto_offset_reset
    "basic.auth.credentials.source" = "USER_INFO"
    "client.dns.lookup"             = "use_all_dns_ips"
    # Flink's KafkaSource commits offsets on checkpoints and turns auto-commit off regardless.
    "enable.auto.commit"   = "false"
    "max.poll.interval.ms" = "300000"
    "request.timeout.ms"   = "60000"
    "sasl.mechanism"       = "PLAIN"
    "security.protocol"    = "SASL_SSL"
    "session.timeout.ms"   = "45000"
  }

  producer_kafka_client_properties = {
    "acks"              = "all"
    "client.dns.lookup" = "use_all_dns_ips"
    "sasl.mechanism"    = "PLAIN"
    "security.protocol" = "SASL_SSL"
  }
}

resource "aws_secretsmanager_secret" "kafka_client" {
  name                    = "${var.aws_name_prefix}/kafka_cluster/java_client"
  description             = "Kafka bootstrap servers and SASL credentials of the ${var.name_prefix} jobs"
  recovery_window_in_days = var.secret_recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "kafka_client" {
  secret_id     = aws_secretsmanager_secret.kafka_client.id
  secret_string = jsonencode(local.kafka_client_secret)
}

resource "aws_secretsmanager_secret" "schema_registry_client" {
  name                    = "${var.aws_name_prefix}/schema_registry_cluster/java_client"
  description             = "Schema Registry URL and credentials of the ${var.name_prefix} jobs"
  recovery_window_in_days = var.secret_recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "schema_registry_client" {
  secret_id     = aws_secretsmanager_secret.schema_registry_client.id
  secret_string = jsonencode(local.schema_registry_client_secret)
}

resource "aws_ssm_parameter" "consumer_kafka_client" {
  for_each = local.consumer_kafka_client_properties

  name  = "${var.aws_name_prefix}/consumer_kafka_client/${each.key}"
  type  = "String"
  value = each.value
}

resource "aws_ssm_parameter" "producer_kafka_client" {
  for_each = local.producer_kafka_client_properties

  name  = "${var.aws_name_prefix}/producer_kafka_client/${each.key}"
  type  = "String"
  value = each.value
}
