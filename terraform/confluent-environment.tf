# The environment, and the Schema Registry its Stream Governance package brings along.

resource "confluent_environment" "kickstarter" {
  display_name = var.name_prefix

  stream_governance {
    package = var.stream_governance_package
  }
}

# Confluent provisions the Schema Registry with the environment's first cluster, so it is looked up
# (a data source) once the Kafka cluster exists rather than created.
data "confluent_schema_registry_cluster" "kickstarter" {
  environment {
    id = confluent_environment.kickstarter.id
  }

  depends_on = [confluent_kafka_cluster.kickstarter]
}
