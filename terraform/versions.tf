terraform {
  # 1.5 brings plantimestamp(), which drives the API key rotation in access.tf.
  required_version = ">= 1.5.0"

  # Exact versions: scripts/static-checks/provider-schema.json records the argument and attribute names
  # of these releases, and the static check fails on any other name or version. To upgrade, refresh that
  # file first (scripts/static-checks/README.md).
  required_providers {
    confluent = {
      source  = "confluentinc/confluent"
      version = "= 2.83.3"
    }
    aws = {
      source  = "hashicorp/aws"
      version = "= 6.25.0"
    }
  }

  # State stays in a local terraform.tfstate by default. It holds the API key secrets in plain text:
  # keep it out of git (.gitignore does) or move it to a remote backend, e.g. HCP Terraform (Terraform
  # Cloud). .github/workflows/terraform-cloud.yml adds that block at run time in a *_override.tf file:
  #
  #   cloud {
  #     organization = "<your organization>"
  #     workspaces { name = "flink-kickstarter" }
  #   }
}

provider "confluent" {
  cloud_api_key    = var.confluent_cloud_api_key
  cloud_api_secret = var.confluent_cloud_api_secret
}

provider "aws" {
  region  = var.aws_region
  profile = var.aws_profile
  # Refuses to touch any other account, e.g. when the shell still holds another profile's credentials.
  allowed_account_ids = [var.aws_account_id]
}
