# Optional (enable_glue_catalog): an Iceberg warehouse on S3 with AWS Glue as its catalog, an IAM policy
# letting the jobs use exactly that, and the iceberg_catalog SSM parameters that point the jobs at it.
# The jobs turn those parameters into Iceberg catalog properties verbatim (common's IcebergCatalogs), and
# need Iceberg's AWS bundle (org.apache.iceberg:iceberg-aws-bundle) on their classpath for type=glue.

locals {
  iceberg_count       = var.enable_glue_catalog ? 1 : 0
  iceberg_bucket_name = coalesce(var.iceberg_bucket_name, "${var.name_prefix}-iceberg-${var.aws_account_id}")
  iceberg_warehouse   = "s3://${local.iceberg_bucket_name}/${var.iceberg_warehouse_prefix}"

  # Written under <aws_name_prefix>/iceberg_catalog/ only when enabled (see aws_ssm_parameter.iceberg_catalog).
  iceberg_catalog_properties = {
    "type"          = "glue"
    "warehouse"     = local.iceberg_warehouse
    "io-impl"       = "org.apache.iceberg.aws.s3.S3FileIO"
    "client.region" = var.aws_region
    "glue.id"       = var.aws_account_id
  }

  glue_arn_prefix = "arn:${data.aws_partition.current.partition}:glue:${var.aws_region}:${var.aws_account_id}"
}

resource "aws_s3_bucket" "iceberg_warehouse" {
  count = local.iceberg_count

  bucket        = local.iceberg_bucket_name
  force_destroy = var.iceberg_bucket_force_destroy
}

resource "aws_s3_bucket_ownership_controls" "iceberg_warehouse" {
  count = local.iceberg_count

  bucket = aws_s3_bucket.iceberg_warehouse[0].id

  # ACLs off: only IAM policies decide who reads the tables.
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "iceberg_warehouse" {
  count = local.iceberg_count

  bucket                  = aws_s3_bucket.iceberg_warehouse[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "iceberg_warehouse" {
  count = local.iceberg_count

  bucket = aws_s3_bucket.iceberg_warehouse[0].id

  # SSE-S3: encrypted at rest without a KMS key, so the jobs need no kms:Decrypt grant.
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "iceberg_warehouse" {
  count = local.iceberg_count

  bucket = aws_s3_bucket.iceberg_warehouse[0].id

  # Recovers table files deleted by mistake; the lifecycle rule below expires the old versions.
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "iceberg_warehouse" {
  count = local.iceberg_count

  bucket = aws_s3_bucket.iceberg_warehouse[0].id

  rule {
    id     = "expire-old-versions-and-abandoned-uploads"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.iceberg_noncurrent_version_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.iceberg_warehouse]
}

data "aws_iam_policy_document" "iceberg_warehouse_tls_only" {
  count = local.iceberg_count

  statement {
    sid       = "DenyPlainHttp"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.iceberg_warehouse[0].arn, "${aws_s3_bucket.iceberg_warehouse[0].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "iceberg_warehouse" {
  count = local.iceberg_count

  bucket = aws_s3_bucket.iceberg_warehouse[0].id
  policy = data.aws_iam_policy_document.iceberg_warehouse_tls_only[0].json

  depends_on = [aws_s3_bucket_public_access_block.iceberg_warehouse]
}

resource "aws_glue_catalog_database" "iceberg" {
  count = local.iceberg_count

  name         = var.glue_database_name
  description  = "Iceberg tables of the ${var.name_prefix} jobs"
  location_uri = "${local.iceberg_warehouse}/${var.glue_database_name}.db"
}

resource "aws_ssm_parameter" "iceberg_catalog" {
  for_each = var.enable_glue_catalog ? local.iceberg_catalog_properties : {}

  name  = "${var.aws_name_prefix}/iceberg_catalog/${each.key}"
  type  = "String"
  value = each.value
}

# What Iceberg's GlueCatalog and S3FileIO do for the jobs: look up the database (Terraform creates it),
# create, read, commit (UpdateTable) and drop its tables, and read, write and delete objects below the
# warehouse prefix (multipart uploads included). Nothing outside that database and prefix.
data "aws_iam_policy_document" "iceberg_warehouse" {
  count = local.iceberg_count

  statement {
    sid       = "GlueTablesOfOneDatabase"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable"]
    resources = ["${local.glue_arn_prefix}:catalog", "${local.glue_arn_prefix}:database/${var.glue_database_name}", "${local.glue_arn_prefix}:table/${var.glue_database_name}/*"]
  }

  statement {
    sid       = "WarehouseObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${aws_s3_bucket.iceberg_warehouse[0].arn}/${var.iceberg_warehouse_prefix}/*"]
  }

  statement {
    sid       = "ListWarehousePrefix"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.iceberg_warehouse[0].arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [var.iceberg_warehouse_prefix, "${var.iceberg_warehouse_prefix}/*"]
    }
  }
}

resource "aws_iam_policy" "iceberg_warehouse" {
  count = local.iceberg_count

  name        = "${var.name_prefix}-iceberg-warehouse"
  description = "Read and write the ${var.name_prefix} Iceberg tables: Glue database ${var.glue_database_name} and ${local.iceberg_warehouse}"
  policy      = data.aws_iam_policy_document.iceberg_warehouse[0].json
}
