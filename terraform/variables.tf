variable "confluent_cloud_api_key" {
  description = "Confluent Cloud API key (resource scope \"cloud\") that Terraform uses to manage the environment."
  type        = string
  sensitive   = true

  validation {
    condition     = length(trimspace(var.confluent_cloud_api_key)) > 0
    error_message = "confluent_cloud_api_key must not be empty: create one with `confluent api-key create --resource cloud`."
  }
}

variable "confluent_cloud_api_secret" {
  description = "Secret of confluent_cloud_api_key."
  type        = string
  sensitive   = true

  validation {
    condition     = length(trimspace(var.confluent_cloud_api_secret)) > 0
    error_message = "confluent_cloud_api_secret must not be empty."
  }
}

variable "aws_account_id" {
  description = "The 12-digit AWS account that receives the secrets and parameters; the AWS provider refuses any other account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be 12 digits."
  }
}

variable "aws_profile" {
  description = "AWS CLI/SSO profile to authenticate with; null uses the default credential chain (environment variables, instance role, ...)."
  type        = string
  default     = null
}

variable "aws_region" {
  description = "AWS region for the secrets and parameters; the Kafka cluster runs in the same AWS region on Confluent Cloud."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name such as us-east-1."
  }
}

variable "number_of_api_keys_to_retain" {
  description = "How many generations of each client API key stay valid, so jobs still holding the previous key keep running after a rotation."
  type        = number
  default     = 2

  validation {
    # One key alone leaves no overlap: the rotating apply would delete the key the running jobs hold.
    condition     = var.number_of_api_keys_to_retain >= 2 && var.number_of_api_keys_to_retain <= 5 && floor(var.number_of_api_keys_to_retain) == var.number_of_api_keys_to_retain
    error_message = "number_of_api_keys_to_retain must be a whole number from 2 to 5, so the previous key stays valid while the jobs restart with the new one."
  }
}

variable "day_count" {
  description = "Days between API key rotations: the first `terraform apply` after a period ends creates a new key generation."
  type        = number
  default     = 30

  validation {
    # The upper bound keeps local.api_key_generation's lookup table (range of 1024 periods) valid for decades.
    condition     = var.day_count >= 7 && var.day_count <= 365 && floor(var.day_count) == var.day_count
    error_message = "day_count must be a whole number of days from 7 to 365."
  }
}

variable "auto_offset_reset" {
  description = "Written to the consumer's auto.offset.reset parameter: where a consumer group without committed offsets starts."
  type        = string
  default     = "earliest"

  validation {
    condition     = contains(["earliest", "latest"], var.auto_offset_reset)
    error_message = "auto_offset_reset must be \"earliest\" or \"latest\"."
  }
}

variable "aws_name_prefix" {
  description = "Prefix of every secret and parameter name; the jobs read the same prefix (--aws-prefix)."
  type        = string
  default     = "/confluent_cloud_resource"

  validation {
    condition     = can(regex("^(/[a-zA-Z0-9_.-]+)+$", var.aws_name_prefix))
    error_message = "aws_name_prefix must look like /name or /name/sub, without a trailing slash."
  }
}

variable "name_prefix" {
  description = "Prefix of the Confluent Cloud display names (environment, cluster, service accounts, keys)."
  type        = string
  default     = "flink-kickstarter"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name_prefix))
    error_message = "name_prefix must be 2-41 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "stream_governance_package" {
  description = "Stream Governance package of the environment (it brings the Schema Registry)."
  type        = string
  default     = "ESSENTIALS"

  validation {
    condition     = contains(["ESSENTIALS", "ADVANCED"], var.stream_governance_package)
    error_message = "stream_governance_package must be ESSENTIALS or ADVANCED."
  }
}

variable "topic_partitions" {
  description = "Partitions of each airline topic and its dead-letter topic."
  type        = number
  default     = 3

  validation {
    condition     = var.topic_partitions >= 1 && var.topic_partitions <= 100 && floor(var.topic_partitions) == var.topic_partitions
    error_message = "topic_partitions must be a whole number from 1 to 100."
  }
}

variable "consumer_group_prefixes" {
  description = "The jobs' service account may only use consumer groups whose id starts with one of these (PREFIXED ACLs or role bindings; avro-to-iceberg-job's default group is avro-to-iceberg)."
  type        = list(string)
  default     = ["avro-to-iceberg"]

  validation {
    condition     = length(var.consumer_group_prefixes) > 0 && alltrue([for prefix in var.consumer_group_prefixes : can(regex("^[a-zA-Z0-9._-]+$", prefix))])
    error_message = "consumer_group_prefixes must be non-empty prefixes of letters, digits, '.', '_' or '-'."
  }
}

variable "transactional_id_prefixes" {
  description = "The jobs' service account may only use Kafka transactional ids (exactly-once sinks) starting with one of these (PREFIXED ACLs or role bindings; they cover the jobs' default prefixes datagen and avro-to-iceberg-dlq)."
  type        = list(string)
  default     = ["datagen", "avro-to-iceberg"]

  validation {
    condition     = length(var.transactional_id_prefixes) > 0 && alltrue([for prefix in var.transactional_id_prefixes : can(regex("^[a-zA-Z0-9._-]+$", prefix))])
    error_message = "transactional_id_prefixes must be non-empty prefixes of letters, digits, '.', '_' or '-'."
  }
}

variable "secret_recovery_window_in_days" {
  description = "Days a destroyed secret stays recoverable. 0 deletes at once, so destroy followed by apply can reuse the names; raise it for production."
  type        = number
  default     = 0

  validation {
    condition     = var.secret_recovery_window_in_days == 0 || (var.secret_recovery_window_in_days >= 7 && var.secret_recovery_window_in_days <= 30)
    error_message = "secret_recovery_window_in_days must be 0 or from 7 to 30 (the range AWS Secrets Manager accepts)."
  }
}

variable "cluster_type" {
  description = "Confluent Cloud Kafka cluster type. BASIC (the cheapest) authorizes the jobs with Kafka ACLs, because Confluent Cloud supports RBAC on topics, groups and transactional ids only on the other types, which get role bindings instead."
  type        = string
  default     = "BASIC"

  validation {
    condition     = contains(["BASIC", "STANDARD", "ENTERPRISE", "DEDICATED", "FREIGHT"], var.cluster_type)
    error_message = "cluster_type must be BASIC, STANDARD, ENTERPRISE, DEDICATED or FREIGHT."
  }
}

variable "cluster_availability" {
  description = "Availability of the Kafka cluster: SINGLE_ZONE or MULTI_ZONE for Basic, Standard and Dedicated; LOW or HIGH for Enterprise and Freight."
  type        = string
  default     = "SINGLE_ZONE"

  validation {
    condition     = contains(["SINGLE_ZONE", "MULTI_ZONE", "LOW", "HIGH"], var.cluster_availability)
    error_message = "cluster_availability must be SINGLE_ZONE, MULTI_ZONE, LOW or HIGH."
  }
}

variable "dedicated_cku" {
  description = "CKUs of a DEDICATED cluster (ignored by the other types): at least 1 single-zone, 2 multi-zone."
  type        = number
  default     = 1

  validation {
    condition     = var.dedicated_cku >= 1 && floor(var.dedicated_cku) == var.dedicated_cku
    error_message = "dedicated_cku must be a whole number of at least 1."
  }
}

variable "enable_glue_catalog" {
  description = "Also create an S3 warehouse bucket, a Glue database, an IAM policy for them, and the iceberg_catalog SSM parameters that point the jobs at Glue + S3."
  type        = bool
  default     = false
}

variable "glue_database_name" {
  description = "Glue database (Iceberg namespace) of the jobs' tables; avro-to-iceberg-job writes to namespace airlines unless told otherwise."
  type        = string
  default     = "airlines"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.glue_database_name))
    error_message = "glue_database_name must be 1-255 lowercase letters, digits or underscores (Glue's rule)."
  }
}

variable "iceberg_bucket_name" {
  description = "S3 bucket of the Iceberg warehouse; null names it <name_prefix>-iceberg-<aws_account_id>."
  type        = string
  default     = null

  validation {
    condition     = var.iceberg_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.iceberg_bucket_name))
    error_message = "iceberg_bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, '.' or '-')."
  }
}

variable "iceberg_warehouse_prefix" {
  description = "Key prefix of the warehouse in the bucket: the jobs may only read and write objects below it."
  type        = string
  default     = "warehouse"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]+(/[a-zA-Z0-9_.-]+)*$", var.iceberg_warehouse_prefix))
    error_message = "iceberg_warehouse_prefix must look like name or name/sub, without leading or trailing slash."
  }
}

variable "iceberg_bucket_force_destroy" {
  description = "Let destroy delete the warehouse bucket with every table file in it. Off by default, so destroy stops at a bucket that still holds data."
  type        = bool
  default     = false
}

variable "iceberg_noncurrent_version_days" {
  description = "Days S3 keeps overwritten or deleted warehouse objects (versioning) before expiring them."
  type        = number
  default     = 7

  validation {
    condition     = var.iceberg_noncurrent_version_days >= 1 && floor(var.iceberg_noncurrent_version_days) == var.iceberg_noncurrent_version_days
    error_message = "iceberg_noncurrent_version_days must be a whole number of at least 1."
  }
}
