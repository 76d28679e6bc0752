# Two service accounts: "manager" for Terraform's own topic, ACL and schema management, and "jobs" for
# the Flink jobs, which may only touch the airline topics, their subjects, and their own groups and
# transactional ids. The jobs' API keys rotate; their newest generation goes into the AWS secrets.
#
# Confluent Cloud supports RBAC on topics, consumer groups and transactional ids only on Standard,
# Enterprise, Dedicated and Freight clusters. On Basic the jobs get Kafka ACLs instead, created with the
# manager's Kafka API key (its CloudClusterAdmin role binding allows managing ACLs). Schema Registry
# subjects use RBAC on every cluster type.

locals {
  kafka_crn           = "${confluent_kafka_cluster.kickstarter.rbac_crn}/kafka=${confluent_kafka_cluster.kickstarter.id}"
  schema_registry_crn = data.confluent_schema_registry_cluster.kickstarter.resource_name

  kafka_authorization = var.cluster_type == "BASIC" ? "acl" : "rbac"

  # Read only: Terraform registers the schemas (kafka.tf), so the jobs run with auto.register.schemas=false.
  jobs_subject_role_bindings = {
    read_airline_subjects = { role = "DeveloperRead", crn = "${local.schema_registry_crn}/subject=airline.*" }
  }

  jobs_kafka_role_bindings = merge(
    {
      # datagen-job produces to airline.*, avro-to-iceberg-job consumes it and produces to airline.*.dlq.
      read_airline_topics  = { role = "DeveloperRead", crn = "${local.kafka_crn}/topic=airline.*" }
      write_airline_topics = { role = "DeveloperWrite", crn = "${local.kafka_crn}/topic=airline.*" }
    },
    {
      for prefix in var.consumer_group_prefixes : "use_consumer_groups_${prefix}" => {
        role = "DeveloperRead", crn = "${local.kafka_crn}/group=${prefix}*"
      }
    },
    {
      for prefix in var.transactional_id_prefixes : "use_transactional_ids_${prefix}" => {
        role = "DeveloperWrite", crn = "${local.kafka_crn}/transactional-id=${prefix}*"
      }
    },
  )

  # The same grants as ACLs. READ and WRITE imply DESCRIBE, which KafkaSource's enumerator needs for
  # partition discovery and committed offsets. The exactly-once KafkaSink initialises idempotent,
  # transactional producers: WRITE on its transactional ids plus IDEMPOTENT_WRITE on the cluster. The jobs
  # read no broker configuration, so no DESCRIBE_CONFIGS.
  jobs_kafka_acls = merge(
    {
      for topic in local.kafka_topics : "read_topic_${topic}" => {
        resource_type = "TOPIC", resource_name = topic, pattern_type = "LITERAL", operation = "READ"
      }
    },
    {
      for topic in local.kafka_topics : "write_topic_${topic}" => {
        resource_type = "TOPIC", resource_name = topic, pattern_type = "LITERAL", operation = "WRITE"
      }
    },
    {
      for prefix in var.consumer_group_prefixes : "read_groups_${prefix}" => {
        resource_type = "GROUP", resource_name = prefix, pattern_type = "PREFIXED", operation = "READ"
      }
    },
    {
      for prefix in var.transactional_id_prefixes : "write_transactional_ids_${prefix}" => {
        resource_type = "TRANSACTIONAL_ID", resource_name = prefix, pattern_type = "PREFIXED", operation = "WRITE"
      }
    },
    {
      idempotent_write_cluster = {
        resource_type = "CLUSTER", resource_name = "kafka-cluster", pattern_type = "LITERAL", operation = "IDEMPOTENT_WRITE"
      }
    },
  )

  # Only the grants of the chosen authorization; a for-filter keeps both branches one map type.
  jobs_role_bindings = merge(
    local.jobs_subject_role_bindings,
    { for name, binding in local.jobs_kafka_role_bindings : name => binding if local.kafka_authorization == "rbac" },
  )
  jobs_acls = { for name, acl in local.jobs_kafka_acls : name => acl if local.kafka_authorization == "acl" }

  # Key rotation without extra providers: time is cut into day_count-day periods counted from a fixed
  # epoch; the current period is the number of period starts already passed at plan time. One key per
  # retained period exists, so the first apply of a new period creates a key and deletes the oldest,
  # while jobs still holding the previous key keep working until they restart.
  # The period count is capped below Go's ~290-year duration limit and range()'s 1024 elements.
  api_key_rotation_epoch = "2025-01-01T00:00:00Z"
  api_key_period = length([
    for period in range(1, min(1024, floor(36500 / var.day_count))) : period
    if timecmp(timeadd(local.api_key_rotation_epoch, "${period * var.day_count * 24}h"), plantimestamp()) <= 0
  ])
  api_key_generations = toset([
    for period in range(max(0, local.api_key_period - var.number_of_api_keys_to_retain + 1), local.api_key_period + 1) : tostring(period)
  ])
  newest_api_key_generation = tostring(local.api_key_period)
}

resource "confluent_service_account" "manager" {
  display_name = "${var.name_prefix}-manager"
  description  = "Used by Terraform to manage the topics and schemas of ${var.name_prefix}"
}

resource "confluent_role_binding" "manager_cluster_admin" {
  principal   = "User:${confluent_service_account.manager.id}"
  role_name   = "CloudClusterAdmin"
  crn_pattern = confluent_kafka_cluster.kickstarter.rbac_crn
}

resource "confluent_role_binding" "manager_subjects_owner" {
  principal   = "User:${confluent_service_account.manager.id}"
  role_name   = "ResourceOwner"
  crn_pattern = "${local.schema_registry_crn}/subject=airline.*"
}

resource "confluent_api_key" "manager_kafka" {
  display_name = "${var.name_prefix}-manager-kafka"
  description  = "Kafka API key of the ${var.name_prefix}-manager service account"

  owner {
    id          = confluent_service_account.manager.id
    api_version = confluent_service_account.manager.api_version
    kind        = confluent_service_account.manager.kind
  }

  managed_resource {
    id          = confluent_kafka_cluster.kickstarter.id
    api_version = confluent_kafka_cluster.kickstarter.api_version
    kind        = confluent_kafka_cluster.kickstarter.kind

    environment {
      id = confluent_environment.kickstarter.id
    }
  }

  depends_on = [confluent_role_binding.manager_cluster_admin]
}

resource "confluent_api_key" "manager_schema_registry" {
  display_name = "${var.name_prefix}-manager-schema-registry"
  description  = "Schema Registry API key of the ${var.name_prefix}-manager service account"

  owner {
    id          = confluent_service_account.manager.id
    api_version = confluent_service_account.manager.api_version
    kind        = confluent_service_account.manager.kind
  }

  managed_resource {
    id          = data.confluent_schema_registry_cluster.kickstarter.id
    api_version = data.confluent_schema_registry_cluster.kickstarter.api_version
    kind        = data.confluent_schema_registry_cluster.kickstarter.kind

    environment {
      id = confluent_environment.kickstarter.id
    }
  }

  depends_on = [confluent_role_binding.manager_subjects_owner]
}

resource "confluent_service_account" "jobs" {
  display_name = "${var.name_prefix}-jobs"
  description  = "Identity of the ${var.name_prefix} Flink jobs"
}

resource "confluent_role_binding" "jobs" {
  for_each = local.jobs_role_bindings

  principal   = "User:${confluent_service_account.jobs.id}"
  role_name   = each.value.role
  crn_pattern = each.value.crn
}

resource "confluent_kafka_acl" "jobs" {
  for_each = local.jobs_acls

  kafka_cluster {
    id = confluent_kafka_cluster.kickstarter.id
  }

  resource_type = each.value.resource_type
  resource_name = each.value.resource_name
  pattern_type  = each.value.pattern_type
  principal     = "User:${confluent_service_account.jobs.id}"
  host          = "*"
  operation     = each.value.operation
  permission    = "ALLOW"
  rest_endpoint = confluent_kafka_cluster.kickstarter.rest_endpoint

  credentials {
    key    = confluent_api_key.manager_kafka.id
    secret = confluent_api_key.manager_kafka.secret
  }
}

resource "confluent_api_key" "jobs_kafka" {
  for_each = local.api_key_generations

  display_name = "${var.name_prefix}-jobs-kafka-${each.key}"
  description  = "Kafka API key of the ${var.name_prefix}-jobs service account, rotation period ${each.key}"

  owner {
    id          = confluent_service_account.jobs.id
    api_version = confluent_service_account.jobs.api_version
    kind        = confluent_service_account.jobs.kind
  }

  managed_resource {
    id          = confluent_kafka_cluster.kickstarter.id
    api_version = confluent_kafka_cluster.kickstarter.api_version
    kind        = confluent_kafka_cluster.kickstarter.kind

    environment {
      id = confluent_environment.kickstarter.id
    }
  }

  depends_on = [confluent_role_binding.jobs, confluent_kafka_acl.jobs]
}

resource "confluent_api_key" "jobs_schema_registry" {
  for_each = local.api_key_generations

  display_name = "${var.name_prefix}-jobs-schema-registry-${each.key}"
  description  = "Schema Registry API key of the ${var.name_prefix}-jobs service account, rotation period ${each.key}"

  owner {
    id          = confluent_service_account.jobs.id
    api_version = confluent_service_account.jobs.api_version
    kind        = confluent_service_account.jobs.kind
  }

  managed_resource {
    id          = data.confluent_schema_registry_cluster.kickstarter.id
    api_version = data.confluent_schema_registry_cluster.kickstarter.api_version
    kind        = data.confluent_schema_registry_cluster.kickstarter.kind

    environment {
      id = confluent_environment.kickstarter.id
    }
  }

  depends_on = [confluent_role_binding.jobs]
}
