terraform {
  # 1.5 brings plantimestamp(), which drives the API key rotation in access.tf.
  required_version = ">= 1.5.0"

  required_providers {
    confluent = {
      source  = "confluentinc/confluent"
      version = "~> 2.30"
    }
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # State stays in a local terraform.tfstate by default. It holds the API key secrets in plain text:
  # keep it out of git (.gitignore does) or move it to a remote backend, e.g. HCP Terraform:
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
