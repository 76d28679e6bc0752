# Two service accounts: "manager" for Terraform's own topic and schema management, and "jobs" for the
# Flink jobs, which may only touch the airline topics, their subjects, and their own groups and
# transactional ids. The jobs' API keys rotate; their newest generation goes into the AWS secrets.

locals {
  kafka_crn           = "${confluent_kafka_cluster.kickstarter.rbac_crn}/kafka=${confluent_kafka_cluster.kickstarter.id}"
  schema_registry_crn = data.confluent_schema_registry_cluster.kickstarter.resource_name

  jobs_role_bindings = merge(
    {
      # datagen-job produces to airline.*, avro-to-iceberg-job consumes it and produces to airline.*.dlq.
      read_airline_topics  = { role = "DeveloperRead", crn = "${local.kafka_crn}/topic=airline.*" }
      write_airline_topics = { role = "DeveloperWrite", crn = "${local.kafka_crn}/topic=airline.*" }
      # Read only: Terraform registers the schemas (kafka.tf), so the jobs run with auto.register.schemas=false.
      read_airline_subjects = { role = "DeveloperRead", crn = "${local.schema_registry_crn}/subject=airline.*" }
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

  depends_on = [confluent_role_binding.jobs]
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
