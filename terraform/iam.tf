# A policy to attach to whatever runs the jobs (a role, an SSO permission set, a user): read access to
# exactly the secrets and parameter paths above, nothing else (scripts/check-static.sh rejects any other
# IAM action). The parameters are plain String
# (no secret in them) and the secrets use the AWS-managed key, so no kms:Decrypt grant is needed.

data "aws_partition" "current" {}

locals {
  # Every SSM path the jobs read, including optional ones Terraform writes nothing under (reading an
  # empty path still needs the grant). scripts/check-static.sh checks it covers aws-contract.json.
  jobs_parameter_paths = ["consumer_kafka_client", "producer_kafka_client", "iceberg_catalog"]

  ssm_parameter_arn_prefix = "arn:${data.aws_partition.current.partition}:ssm:${var.aws_region}:${var.aws_account_id}:parameter${var.aws_name_prefix}"
}

data "aws_iam_policy_document" "read_client_config" {
  statement {
    sid     = "ReadClientSecrets"
    actions = ["secretsmanager:GetSecretValue"]
    resources = [
      aws_secretsmanager_secret.kafka_client.arn,
      aws_secretsmanager_secret.schema_registry_client.arn,
    ]
  }

  statement {
    sid     = "ReadClientParameters"
    actions = ["ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"]
    resources = flatten([
      for path in local.jobs_parameter_paths : [
        "${local.ssm_parameter_arn_prefix}/${path}",
        "${local.ssm_parameter_arn_prefix}/${path}/*",
      ]
    ])
  }
}

resource "aws_iam_policy" "read_client_config" {
  name        = "${var.name_prefix}-read-client-config"
  description = "Read the Kafka and Schema Registry client settings of the ${var.name_prefix} jobs"
  policy      = data.aws_iam_policy_document.read_client_config.json
}
