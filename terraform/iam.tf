# A policy to attach to whatever runs the jobs (a role, an SSO permission set, a user): read access to
# exactly the secrets and parameter paths above, nothing else. The parameters are plain String
# (no secret in them) and the secrets use the AWS-managed key, so no kms:Decrypt grant is needed.

data "aws_partition" "current" {}

locals {
  ssm_parameter_arn_prefix = "arn:${data.aws_partition.current.partition}:ssm:${var.aws_region}:${var.aws_account_id}:parameter${var.aws_name_prefix}"
}

data "aws_iam_policy_document" "read_client_config" {
  statement {
    sid     = "ReadClientSecrets"
    actions = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [
      aws_secretsmanager_secret.kafka_client.arn,
      aws_secretsmanager_secret.schema_registry_client.arn,
    ]
  }

  statement {
    sid     = "ReadClientParameters"
    actions = ["ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"]
    resources = [
      "${local.ssm_parameter_arn_prefix}/consumer_kafka_client",
      "${local.ssm_parameter_arn_prefix}/consumer_kafka_client/*",
      "${local.ssm_parameter_arn_prefix}/producer_kafka_client",
      "${local.ssm_parameter_arn_prefix}/producer_kafka_client/*",
    ]
  }
}

resource "aws_iam_policy" "read_client_config" {
  name        = "${var.name_prefix}-read-client-config"
  description = "Read the Kafka and Schema Registry client settings of the ${var.name_prefix} jobs"
  policy      = data.aws_iam_policy_document.read_client_config.json
}
