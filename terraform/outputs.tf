output "environment_id" {
  description = "Confluent Cloud environment id."
  value       = confluent_environment.kickstarter.id
}

output "kafka_cluster_id" {
  description = "Kafka cluster id."
  value       = confluent_kafka_cluster.kickstarter.id
}

output "kafka_bootstrap_servers" {
  description = "Kafka bootstrap servers (also in the kafka_cluster/java_client secret)."
  value       = trimprefix(confluent_kafka_cluster.kickstarter.bootstrap_endpoint, "SASL_SSL://")
}

output "schema_registry_url" {
  description = "Schema Registry REST endpoint (also in the schema_registry_cluster/java_client secret)."
  value       = data.confluent_schema_registry_cluster.kickstarter.rest_endpoint
}

output "jobs_kafka_api_key" {
  description = "The newest Kafka API key of the jobs' service account and its secret."
  sensitive   = true
  value = {
    id     = local.newest_jobs_kafka_key.id
    secret = local.newest_jobs_kafka_key.secret
  }
}

output "jobs_schema_registry_api_key" {
  description = "The newest Schema Registry API key of the jobs' service account and its secret."
  sensitive   = true
  value = {
    id     = local.newest_jobs_schema_registry_key.id
    secret = local.newest_jobs_schema_registry_key.secret
  }
}

output "aws_secret_names" {
  description = "Secrets Manager secrets the jobs read."
  value       = [aws_secretsmanager_secret.kafka_client.name, aws_secretsmanager_secret.schema_registry_client.name]
}

output "read_client_config_policy_arn" {
  description = "IAM policy granting read access to exactly those secrets and parameters: attach it to the role that runs the jobs."
  value       = aws_iam_policy.read_client_config.arn
}

output "aws_config_flags" {
  description = "Flags that point the jobs at this configuration."
  value       = "--config-source aws --aws-prefix ${var.aws_name_prefix}"
}

output "kafka_authorization" {
  description = "How the jobs' service account is authorized on the Kafka cluster: acl (Basic) or rbac (every other cluster type)."
  value       = local.kafka_authorization
}

output "iceberg_warehouse" {
  description = "The Iceberg warehouse on S3 (enable_glue_catalog), else null."
  value       = var.enable_glue_catalog ? local.iceberg_warehouse : null
}

output "iceberg_warehouse_policy_arn" {
  description = "IAM policy for the Glue database and the warehouse prefix (enable_glue_catalog), else null: attach it next to read_client_config_policy_arn."
  value       = one(aws_iam_policy.iceberg_warehouse[*].arn)
}
