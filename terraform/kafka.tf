# A Kafka cluster (Basic unless cluster_type says otherwise) in the AWS region of the secrets, its topics,
# and the Avro schemas of their values.

locals {
  # The topics the jobs use; each gets a dead-letter topic "<topic>.dlq" for records that fail to decode.
  airline_topics = ["airline.skyone", "airline.sunset"]

  kafka_topics = toset(concat(local.airline_topics, [for topic in local.airline_topics : "${topic}.dlq"]))

  # The same .avsc files the build compiles, so jobs can run with auto.register.schemas=false.
  value_schema_files = {
    "airline.skyone" = "${path.module}/../datagen-job/src/main/avro/skyone_flight.avsc"
    "airline.sunset" = "${path.module}/../datagen-job/src/main/avro/sunset_flight.avsc"
  }
}

resource "confluent_kafka_cluster" "kickstarter" {
  display_name = "${var.name_prefix}-kafka"
  availability = var.cluster_availability
  cloud        = "AWS"
  region       = var.aws_region

  # Exactly one of these blocks exists: the one cluster_type names.
  dynamic "basic" {
    for_each = var.cluster_type == "BASIC" ? [1] : []
    content {}
  }

  dynamic "standard" {
    for_each = var.cluster_type == "STANDARD" ? [1] : []
    content {}
  }

  dynamic "enterprise" {
    for_each = var.cluster_type == "ENTERPRISE" ? [1] : []
    content {}
  }

  dynamic "dedicated" {
    for_each = var.cluster_type == "DEDICATED" ? [1] : []
    content {
      cku = var.dedicated_cku
    }
  }

  dynamic "freight" {
    for_each = var.cluster_type == "FREIGHT" ? [1] : []
    content {}
  }

  environment {
    id = confluent_environment.kickstarter.id
  }

  lifecycle {
    precondition {
      condition     = contains(contains(["ENTERPRISE", "FREIGHT"], var.cluster_type) ? ["LOW", "HIGH"] : ["SINGLE_ZONE", "MULTI_ZONE"], var.cluster_availability)
      error_message = "cluster_availability must be LOW or HIGH for ENTERPRISE and FREIGHT clusters, SINGLE_ZONE or MULTI_ZONE for the other types."
    }
  }
}

resource "confluent_kafka_topic" "airline" {
  for_each = local.kafka_topics

  kafka_cluster {
    id = confluent_kafka_cluster.kickstarter.id
  }

  topic_name       = each.key
  partitions_count = var.topic_partitions
  rest_endpoint    = confluent_kafka_cluster.kickstarter.rest_endpoint

  credentials {
    key    = confluent_api_key.manager_kafka.id
    secret = confluent_api_key.manager_kafka.secret
  }
}

resource "confluent_schema" "airline_value" {
  for_each = local.value_schema_files

  schema_registry_cluster {
    id = data.confluent_schema_registry_cluster.kickstarter.id
  }

  rest_endpoint = data.confluent_schema_registry_cluster.kickstarter.rest_endpoint
  # TopicNameStrategy: the subject the jobs' serializers look up.
  subject_name = "${confluent_kafka_topic.airline[each.key].topic_name}-value"
  format       = "AVRO"
  schema       = file(each.value)

  credentials {
    key    = confluent_api_key.manager_schema_registry.id
    secret = confluent_api_key.manager_schema_registry.secret
  }
}
