#!/usr/bin/env node
// Offline checks of terraform/ that `terraform validate` would need downloaded providers for:
//   1. every .tf parses with HashiCorp's HCL parser (@cdktf/hcl2json, WASM, no network);
//   2. every var./local./data./module./resource reference names something declared, each.* is only
//      used in for_each blocks and count.* only in count blocks, and every "${path.module}/..." file exists;
//   3. the AWS names Terraform writes equal the ones common reads (aws-contract.json): the secret names
//      and their JSON keys, and the SSM parameters under each parameter path; and the IAM policy
//      documents grant every secret (aws_secretsmanager_secret.<name>.arn) and every contract parameter
//      path (listed in local.jobs_parameter_paths);
//   4. against provider-schema.json (the pinned providers' documented names): required_providers pins each
//      provider to exactly the recorded version, every resource/data type, argument and nested block name,
//      and every attribute a reference reads exists there; an output holding a secret is sensitive;
//   5. IAM policy documents allow only the read-only actions the jobs need (plus, in count-gated documents,
//      the Glue and S3 actions of the optional Iceberg warehouse), never on "*";
//   6. number_of_api_keys_to_retain's validation rejects 1 (no key overlap during a rotation).
// Usage: check-terraform.mjs --terraform-dir DIR --contract FILE [--provider-schema FILE]
// Exit status 1 with one line per problem when anything is wrong.

import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const hcl = require("@cdktf/hcl2json");

// Namespaces that are not declared in the configuration itself.
const BUILT_IN_ROOTS = new Set(["path", "terraform", "self"]);

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!["--terraform-dir", "--contract", "--provider-schema"].includes(name) || value === undefined) {
      throw new Error(
        `usage: check-terraform.mjs --terraform-dir DIR --contract FILE [--provider-schema FILE] (got '${argv.join(" ")}')`,
      );
    }
    options[name.slice(2)] = value;
  }
  if (!options["terraform-dir"] || !options.contract) {
    throw new Error("usage: check-terraform.mjs --terraform-dir DIR --contract FILE [--provider-schema FILE]");
  }
  options["provider-schema"] ??= fileURLToPath(new URL("provider-schema.json", import.meta.url));
  return options;
}

async function parseConfiguration(dir) {
  const files = readdirSync(dir).filter((name) => name.endsWith(".tf")).sort();
  if (files.length === 0) {
    throw new Error(`${dir}: no .tf files`);
  }
  const parsed = [];
  const problems = [];
  for (const file of files) {
    try {
      parsed.push({ file, body: await hcl.parse(file, readFileSync(join(dir, file), "utf8")) });
    } catch (error) {
      problems.push(`${file}: HCL syntax error: ${String(error.message ?? error).split("\n")[0]}`);
    }
  }
  return { parsed, problems };
}

/** Variables, locals, resources, data sources and modules declared across all files. */
function collectDeclarations(parsed) {
  const declared = { variable: new Map(), local: new Map(), resource: new Map(), data: new Map(), module: new Map() };
  for (const { file, body } of parsed) {
    for (const [name, blocks] of Object.entries(body.variable ?? {})) {
      declared.variable.set(name, { file, block: blocks[0] });
    }
    for (const locals of body.locals ?? []) {
      for (const [name, value] of Object.entries(locals)) {
        declared.local.set(name, { file, value });
      }
    }
    for (const kind of ["resource", "data"]) {
      for (const [type, byName] of Object.entries(body[kind] ?? {})) {
        for (const [name, blocks] of Object.entries(byName)) {
          declared[kind].set(`${type}.${name}`, { file, block: blocks[0] });
        }
      }
    }
    for (const [name, blocks] of Object.entries(body.module ?? {})) {
      declared.module.set(name, { file, block: blocks[0] });
    }
  }
  return declared;
}

// Meta-arguments whose values name providers or attributes, not objects: "${aws.west}", "${tags}".
const NON_REFERENCE_KEYS = new Set(["provider", "ignore_changes"]);

/** Every string in a parsed HCL value, with the for_each/count context of its enclosing block. */
function* stringsIn(value, context) {
  if (typeof value === "string") {
    yield { text: value, ...context };
  } else if (Array.isArray(value)) {
    for (const item of value) yield* stringsIn(item, context);
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (!NON_REFERENCE_KEYS.has(key)) yield* stringsIn(item, context);
    }
  }
}

function* everyExpression(parsed) {
  for (const { file, body } of parsed) {
    for (const kind of ["resource", "data"]) {
      for (const [type, byName] of Object.entries(body[kind] ?? {})) {
        for (const [name, blocks] of Object.entries(byName)) {
          for (const block of blocks) {
            const where = `${file}: ${kind === "data" ? "data." : ""}${type}.${name}`;
            yield* stringsIn(block, { where, forEach: "for_each" in block, count: "count" in block });
          }
        }
      }
    }
    for (const [name, blocks] of Object.entries(body.variable ?? {})) {
      // A variable's type constraint (string, map(string), ...) reads like a reference but is not one.
      const withoutType = blocks.map(({ type, ...rest }) => rest);
      yield* stringsIn(withoutType, { where: `${file}: variable.${name}`, forEach: false, count: false });
    }
    for (const section of ["locals", "output", "module", "provider", "terraform"]) {
      if (body[section]) {
        yield* stringsIn(body[section], { where: `${file}: ${section}`, forEach: false, count: false });
      }
    }
  }
}

function unresolvedReference(reference, declared, context) {
  const parts = reference.split(".");
  const [root] = parts;
  if (BUILT_IN_ROOTS.has(root)) return null;
  if (root === "each") return context.forEach ? null : "each.* outside a for_each block";
  if (root === "count") return context.count ? null : "count.* outside a count block";
  if (root === "var") return declared.variable.has(parts[1]) ? null : `undeclared variable '${parts[1]}'`;
  if (root === "local") return declared.local.has(parts[1]) ? null : `undeclared local '${parts[1]}'`;
  if (root === "module") return declared.module.has(parts[1]) ? null : `undeclared module '${parts[1]}'`;
  if (root === "data") {
    return declared.data.has(`${parts[1]}.${parts[2]}`) ? null : `undeclared data source '${parts[1]}.${parts[2]}'`;
  }
  return declared.resource.has(`${parts[0]}.${parts[1]}`) ? null : `undeclared resource '${parts[0]}.${parts[1]}'`;
}

/**
 * The "${...}" interpolations of a template string. hcl2json hands templates over unquoted, so one with
 * literal quotes ("password=\"${x}\"") cannot be re-parsed whole; each interpolation can.
 */
function interpolations(text) {
  const found = [];
  let start = text.indexOf("${");
  while (start !== -1) {
    let depth = 0;
    let quoted = false;
    let end = -1;
    for (let i = start + 1; i < text.length && end === -1; i++) {
      const char = text[i];
      if (quoted) {
        if (char === "\\") i++;
        else if (char === '"') quoted = false;
      } else if (char === '"') quoted = true;
      else if (char === "{") depth++;
      else if (char === "}" && --depth === 0) end = i;
    }
    if (end === -1) break;
    found.push(text.slice(start, end + 1));
    start = text.indexOf("${", end + 1);
  }
  return found;
}

async function checkReferences(parsed, declared, dir) {
  const problems = [];
  for (const context of everyExpression(parsed)) {
    if (!context.text.includes("${")) continue;
    const references = [];
    for (const expression of interpolations(context.text)) {
      try {
        references.push(...(await hcl.getReferencesInExpression("expression.tf", expression)));
      } catch (error) {
        problems.push(`${context.where}: unparsable expression ${JSON.stringify(expression)}`);
      }
    }
    for (const { value } of references) {
      const problem = unresolvedReference(value, declared, context);
      if (problem) problems.push(`${context.where}: ${problem} (in ${JSON.stringify(context.text)})`);
    }
    for (const match of context.text.matchAll(/\$\{path\.module\}\/([^"${}]+)/g)) {
      if (!existsSync(join(dir, match[1]))) {
        problems.push(`${context.where}: file ${match[1]} does not exist (relative to ${dir})`);
      }
    }
  }
  return problems;
}

// ---- Provider schema snapshot, secret outputs and IAM actions -------------------------------------------

// Meta-arguments Terraform itself defines in resource and data blocks; lifecycle, provisioner and
// connection hold no provider names.
const META_ARGUMENTS = new Set(["count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"]);

// The only IAM actions a policy document may allow: what common's AwsConfigSource calls to read the
// jobs' configuration (kms:Decrypt only for customer-managed keys, and never on "*")...
const CONFIG_READ_ACTIONS = new Set([
  "secretsmanager:GetSecretValue",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "kms:Decrypt",
]);
// ...and, in a document gated by count (enable_glue_catalog), what Iceberg's GlueCatalog and S3FileIO call
// on the jobs' own Glue database and warehouse prefix.
const ICEBERG_GLUE_S3_ACTIONS = new Set([
  "glue:GetDatabase",
  "glue:GetTable",
  "glue:GetTables",
  "glue:CreateTable",
  "glue:UpdateTable",
  "glue:DeleteTable",
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListBucket",
]);

function readProviderSchema(file) {
  const schema = JSON.parse(readFileSync(file, "utf8"));
  if (!schema.providers || !schema.resources || !schema.data_sources) {
    throw new Error(`${file}: expected providers, resources and data_sources`);
  }
  const typesOf = (byType) =>
    new Map(
      Object.entries(byType).map(([type, spec]) => [
        type,
        {
          arguments: new Set(spec.arguments),
          names: new Set([...spec.arguments, ...spec.attributes]),
          sensitive: new Set(spec.sensitive ?? []),
        },
      ]),
    );
  return { file, providers: schema.providers, resource: typesOf(schema.resources), data: typesOf(schema.data_sources) };
}

function providerOf(schema, type) {
  return Object.entries(schema.providers).find(([, { prefix }]) => type.startsWith(prefix));
}

/** required_providers must pin every provider whose types are used to exactly the snapshot's version. */
function checkProviderPins(parsed, declared, schema) {
  const pinned = new Map();
  for (const { body } of parsed) {
    for (const terraform of body.terraform ?? []) {
      for (const providers of terraform.required_providers ?? []) {
        for (const spec of Object.values(providers)) {
          if (spec && typeof spec === "object" && spec.source) pinned.set(spec.source, spec.version);
        }
      }
    }
  }
  const used = new Set();
  for (const kind of ["resource", "data"]) {
    for (const address of declared[kind].keys()) {
      const provider = providerOf(schema, address.split(".")[0]);
      if (provider) used.add(provider[0]);
    }
  }
  const problems = [];
  for (const source of [...used].sort()) {
    const expected = `= ${schema.providers[source].version}`;
    const actual = pinned.get(source);
    if (actual !== expected) {
      problems.push(
        `provider ${source} must be pinned in required_providers as version = "${expected}" (the version ` +
          `${schema.file} records), not ${actual === undefined ? "left out" : JSON.stringify(actual)}`,
      );
    }
  }
  return problems;
}

/** Every argument and nested block name used in a resource or data block, with its path. */
function* namesIn(block, path = []) {
  for (const [key, value] of Object.entries(block)) {
    if (path.length === 0 && META_ARGUMENTS.has(key)) continue;
    if (key === "dynamic" && value && typeof value === "object" && !Array.isArray(value)) {
      for (const [name, generators] of Object.entries(value)) {
        yield { name, path };
        for (const generator of generators) {
          for (const content of generator.content ?? []) yield* namesIn(content, [...path, name]);
        }
      }
      continue;
    }
    yield { name: key, path };
    // Nested blocks are lists of objects; a map-valued argument (tags = {...}) is a plain object.
    if (Array.isArray(value)) {
      for (const item of value) {
        if (item && typeof item === "object" && !Array.isArray(item)) yield* namesIn(item, [...path, key]);
      }
    }
  }
}

function checkNamesAgainstSchema(declared, schema) {
  const problems = [];
  for (const kind of ["resource", "data"]) {
    for (const [address, { file, block }] of declared[kind]) {
      const type = address.split(".")[0];
      const where = `${file}: ${kind === "data" ? "data." : ""}${address}`;
      const spec = schema[kind].get(type);
      if (!spec) {
        problems.push(
          `${where}: ${kind === "data" ? "data source" : "resource"} type '${type}' is not in the provider schema ` +
            `snapshot ${schema.file} (no such type in the pinned providers, or add it from their documentation)`,
        );
        continue;
      }
      const [source, { version }] = providerOf(schema, type);
      for (const { name, path } of namesIn(block)) {
        if (!spec.arguments.has(name)) {
          const at = path.length ? ` (in ${path.join(".")})` : "";
          problems.push(`${where}: argument or block '${name}'${at} is not in the ${source} ${version} schema of ${type}`);
        }
      }
    }
  }
  return problems;
}

/**
 * The resource and data references of an expression, each with the attribute it reads: the one named in
 * the reference, or the one after an index the parser stops at (type.name[key].attribute); none when the
 * whole object is used.
 */
async function referencesWithAttributes(expression) {
  const found = [];
  for (const { value, startPosition, endPosition } of await hcl.getReferencesInExpression("expression.tf", expression)) {
    const parts = value.split(".");
    let rest = parts[0] === "data" ? parts.slice(3) : parts.slice(2);
    rest = rest.filter((part) => !/^\d+$/.test(part));
    let attribute = rest[0];
    let end = endPosition;
    if (attribute === undefined) {
      let i = endPosition;
      while (expression[i] === "[") {
        let depth = 0;
        do {
          if (expression[i] === "[") depth++;
          else if (expression[i] === "]") depth--;
          i++;
        } while (depth > 0 && i < expression.length);
      }
      const after = /^\.([A-Za-z_][\w-]*)/.exec(expression.slice(i));
      attribute = after?.[1];
      if (after) end = i + after[0].length;
    }
    // text: the reference as written, e.g. confluent_api_key.jobs[0].secret
    found.push({ value, parts, attribute, text: expression.slice(startPosition, end) });
  }
  return found;
}

// The parser runs as WASM and is the slow part; the attribute and secret checks read the same texts.
const referencesByText = new Map();

async function referencesOfText(text) {
  if (!referencesByText.has(text)) {
    const references = [];
    for (const expression of interpolations(text)) {
      try {
        references.push(...(await referencesWithAttributes(expression)));
      } catch {
        // checkReferences already reports unparsable expressions
      }
    }
    referencesByText.set(text, references);
  }
  return referencesByText.get(text);
}

/** A declared resource or data source the reference points at, as { kind, type }, else null. */
function targetOf({ parts }, declared) {
  if (parts[0] === "data" && declared.data.has(`${parts[1]}.${parts[2]}`)) return { kind: "data", type: parts[1] };
  if (declared.resource.has(`${parts[0]}.${parts[1]}`)) return { kind: "resource", type: parts[0] };
  return null;
}

async function checkAttributeReferences(parsed, declared, schema) {
  const problems = [];
  for (const context of everyExpression(parsed)) {
    if (!context.text.includes("${")) continue;
    for (const reference of await referencesOfText(context.text)) {
      const target = targetOf(reference, declared);
      const spec = target && schema[target.kind].get(target.type);
      if (spec && reference.attribute !== undefined && !spec.names.has(reference.attribute)) {
        const [source, { version }] = providerOf(schema, target.type);
        problems.push(
          `${context.where}: attribute '${reference.attribute}' of ${reference.text} is not in the ${source} ` +
            `${version} schema of ${target.type}`,
        );
      }
    }
  }
  return problems;
}

/**
 * Outputs whose value holds a sensitive attribute, a whole object that has one, a sensitive variable, or a
 * local holding any of these, must be sensitive.
 */
async function checkSecretOutputs(parsed, declared, schema) {
  const secretLocals = new Map();
  const secretIn = async (value, seen) => {
    for (const { text } of stringsIn(value, {})) {
      for (const reference of await referencesOfText(text)) {
        const [root, name] = reference.parts;
        if (root === "var" && declared.variable.get(name)?.block.sensitive === true) return reference.text;
        if (root === "local" && declared.local.has(name) && !seen.has(name)) {
          if (!secretLocals.has(name)) {
            secretLocals.set(name, await secretIn(declared.local.get(name).value, new Set([...seen, name])));
          }
          if (secretLocals.get(name)) return `${reference.text}, from ${secretLocals.get(name)}`;
        }
        const target = targetOf(reference, declared);
        const spec = target && schema[target.kind].get(target.type);
        if (spec && spec.sensitive.size > 0 && (reference.attribute === undefined || spec.sensitive.has(reference.attribute))) {
          return reference.attribute === undefined ? `${reference.text}, the whole object` : reference.text;
        }
      }
    }
    return null;
  };
  const problems = [];
  for (const { file, body } of parsed) {
    for (const [name, blocks] of Object.entries(body.output ?? {})) {
      const output = blocks[0];
      const secret = await secretIn(output.value, new Set());
      if (secret && output.sensitive !== true) {
        problems.push(`${file}: output '${name}' holds a secret (${secret}) but lacks sensitive = true`);
      }
    }
  }
  return problems;
}

/** IAM policies come from policy documents whose Allow statements name only the jobs' actions, never on "*". */
function checkIamActions(declared) {
  const problems = [];
  for (const [address, { file, block }] of declared.resource) {
    // aws_iam_policy, aws_iam_role_policy, ...: every IAM policy Terraform writes.
    if (!address.startsWith("aws_iam_") || !("policy" in block)) continue;
    if (!/^\$\{data\.aws_iam_policy_document\.[\w-]+(\[0\])?\.json\}$/.test(block.policy)) {
      problems.push(`${file}: ${address}: policy must be data.aws_iam_policy_document.<name>.json so its actions can be checked`);
    }
  }
  for (const [address, { file, block }] of declared.data) {
    if (!address.startsWith("aws_iam_policy_document.")) continue;
    const where = `${file}: data.${address}`;
    const gated = "count" in block;
    if (block.dynamic?.statement) problems.push(`${where}: dynamic statement blocks cannot be checked; write them out`);
    for (const [key, value] of Object.entries(block)) {
      if (/^(source|override)_(json|policy_documents)$/.test(key)) {
        problems.push(`${where}: ${key} merges statements the IAM action check cannot see: ${JSON.stringify(value)}`);
      }
    }
    for (const statement of block.statement ?? []) {
      const label = statement.sid ? `statement ${statement.sid}` : "a statement";
      if ((statement.effect ?? "Allow") !== "Allow") continue;
      for (const key of ["not_actions", "not_resources"]) {
        if (key in statement) problems.push(`${where}: ${label} uses ${key}, which grants more than it names`);
      }
      const actions = statement.actions ?? [];
      if (!Array.isArray(actions) || actions.some((action) => typeof action !== "string" || action.includes("${"))) {
        problems.push(`${where}: ${label}: actions must be a literal list of strings, got ${JSON.stringify(actions)}`);
        continue;
      }
      for (const action of actions) {
        if (CONFIG_READ_ACTIONS.has(action)) continue;
        if (ICEBERG_GLUE_S3_ACTIONS.has(action)) {
          if (!gated) problems.push(`${where}: ${label}: ${action} belongs in a count-gated (enable_glue_catalog) document`);
          continue;
        }
        problems.push(
          `${where}: ${label}: IAM action '${action}' is not one the jobs need (allowed: ` +
            `${[...CONFIG_READ_ACTIONS].join(", ")}; with count: ${[...ICEBERG_GLUE_S3_ACTIONS].join(", ")})`,
        );
      }
      const resources = Array.isArray(statement.resources) ? statement.resources : [statement.resources];
      if (resources.includes("*")) problems.push(`${where}: ${label}: allows its actions on every resource ("*")`);
    }
  }
  return problems;
}

// Variables whose validation must reject some values: each value below is tried against every condition.
const REQUIRED_VALIDATIONS = [
  {
    variable: "number_of_api_keys_to_retain",
    rejects: [0, 1],
    accepts: [2],
    why: "one key leaves no overlap during a rotation",
  },
];

/** Evaluates a numeric validation condition (comparisons, &&, ||, !, floor) for one value of the variable. */
function evaluateNumericCondition(condition, variable, value) {
  const text = String(condition).replace(/^\$\{([\s\S]*)\}$/, "$1");
  const expression = text.replaceAll(`var.${variable}`, `(${value})`).replace(/\bfloor\(/g, "Math.floor(");
  if (!/^[\d\s.()<>=!&|+\-*/]*$/.test(expression.replaceAll("Math.floor", ""))) {
    throw new Error(`cannot evaluate validation condition ${JSON.stringify(text)} offline`);
  }
  return Boolean(Function(`"use strict"; return (${expression});`)());
}

function checkRequiredValidations(declared) {
  const problems = [];
  for (const { variable, rejects, accepts, why } of REQUIRED_VALIDATIONS) {
    const declaration = declared.variable.get(variable);
    if (!declaration) continue;
    const where = `${declaration.file}: variable.${variable}`;
    try {
      const conditions = (declaration.block.validation ?? []).map(({ condition }) => condition);
      const valid = (value) => conditions.every((condition) => evaluateNumericCondition(condition, variable, value));
      for (const value of rejects.filter(valid)) {
        problems.push(`${where}: validation accepts ${value}, but must reject it (${why})`);
      }
      for (const value of accepts.filter((value) => !valid(value))) {
        problems.push(`${where}: validation rejects ${value}, which must stay allowed`);
      }
    } catch (error) {
      problems.push(`${where}: ${error.message}`);
    }
  }
  return problems;
}

// ---- Evaluation of the few literal expressions the contract check needs --------------------------------

class Evaluator {
  constructor(declared) {
    this.declared = declared;
  }

  /** A whole "${...}" expression that is a plain reference, or null. */
  static soleReference(text) {
    const match = /^\$\{\s*([A-Za-z_][\w.-]*)\s*\}$/.exec(text);
    return match ? match[1] : null;
  }

  value(reference) {
    const [root, name] = reference.split(".");
    if (root === "var") {
      const variable = this.declared.variable.get(name);
      if (!variable || !("default" in variable.block)) {
        throw new Error(`var.${name} has no default to check against the contract`);
      }
      return this.literal(variable.block.default);
    }
    if (root === "local") {
      const local = this.declared.local.get(name);
      if (!local) throw new Error(`local.${name} is not declared`);
      return this.literal(local.value);
    }
    throw new Error(`cannot evaluate '${reference}' statically`);
  }

  literal(value) {
    if (typeof value === "string") {
      const reference = Evaluator.soleReference(value);
      return reference ? this.value(reference) : value;
    }
    return value;
  }

  /** Interpolates var.*, local.* and each.key into a string template. */
  template(text, eachKey) {
    return text.replace(/\$\{\s*([^}]*?)\s*\}/g, (whole, reference) => {
      if (reference === "each.key") {
        if (eachKey === undefined) throw new Error(`each.key in ${text} outside for_each`);
        return eachKey;
      }
      if (!/^(var|local)\.[\w-]+$/.test(reference)) {
        throw new Error(`cannot evaluate '${whole}' in ${JSON.stringify(text)} statically; use var.*, local.* or each.key`);
      }
      const resolved = this.value(reference);
      if (typeof resolved !== "string") throw new Error(`${reference} is not a string`);
      return resolved;
    });
  }

  /**
   * The keys a for_each iterates over: a literal map's keys or a literal list/set's elements. A feature
   * switch "var.enabled ? local.map : {}" yields the keys it writes when switched on.
   */
  forEachKeys(expression) {
    const switched = /^\$\{\s*var\.[\w-]+\s*\?\s*(local\.[\w-]+)\s*:\s*\{\s*\}\s*\}$/.exec(expression);
    const reference = switched ? switched[1] : Evaluator.soleReference(expression);
    if (!reference) {
      throw new Error(
        `for_each ${JSON.stringify(expression)} must be a plain var.* or local.* reference, or var.<switch> ? local.<map> : {}`,
      );
    }
    const value = this.value(reference);
    if (Array.isArray(value)) return value.map(String);
    if (value && typeof value === "object") return Object.keys(value);
    throw new Error(`for_each ${reference} is neither a literal map nor a literal list`);
  }
}

function blocksOf(declared, type) {
  return [...declared.resource.entries()]
    .filter(([address]) => address.startsWith(`${type}.`))
    .map(([address, { file, block }]) => ({ address, file, block }));
}

/** Secret name -> { keys, where } and parameter names, as Terraform writes them with the variables' defaults. */
function extractAwsNames(declared) {
  const evaluator = new Evaluator(declared);
  const problems = [];
  const secrets = new Map();
  const secretByAddress = new Map();

  for (const { address, file, block } of blocksOf(declared, "aws_secretsmanager_secret")) {
    try {
      if (block.for_each || block.count) throw new Error("use one resource per secret (no for_each/count)");
      secretByAddress.set(address, evaluator.template(block.name));
    } catch (error) {
      problems.push(`${file}: ${address}: ${error.message}`);
    }
  }
  for (const { address, file, block } of blocksOf(declared, "aws_secretsmanager_secret_version")) {
    try {
      const secretId = /^\$\{(aws_secretsmanager_secret\.[\w-]+)\.(id|arn)\}$/.exec(block.secret_id ?? "");
      if (!secretId) throw new Error("secret_id must be aws_secretsmanager_secret.<name>.id");
      const name = secretByAddress.get(secretId[1]);
      if (name === undefined) throw new Error(`secret_id refers to unknown ${secretId[1]}`);
      const payload = /^\$\{jsonencode\((local\.[\w-]+)\)\}$/.exec(block.secret_string ?? "");
      if (!payload) {
        throw new Error("secret_string must be jsonencode(local.<map>) so its JSON keys can be checked");
      }
      const map = evaluator.value(payload[1]);
      if (!map || typeof map !== "object" || Array.isArray(map)) throw new Error(`${payload[1]} is not a literal map`);
      secrets.set(name, { keys: Object.keys(map).sort(), where: `${file}: ${address}` });
    } catch (error) {
      problems.push(`${file}: ${address}: ${error.message}`);
    }
  }
  for (const [address, name] of secretByAddress) {
    if (!secrets.has(name)) problems.push(`${address}: secret '${name}' has no aws_secretsmanager_secret_version`);
  }

  const parameters = [];
  for (const { address, file, block } of blocksOf(declared, "aws_ssm_parameter")) {
    try {
      const keys = block.for_each ? evaluator.forEachKeys(block.for_each) : [undefined];
      for (const key of keys) {
        parameters.push({ name: evaluator.template(block.name, key), where: `${file}: ${address}` });
      }
    } catch (error) {
      problems.push(`${file}: ${address}: ${error.message}`);
    }
  }
  const grantedSecrets = new Set();
  let grantsParameterPaths = false;
  for (const [address, { block }] of declared.data) {
    if (!address.startsWith("aws_iam_policy_document.")) continue;
    const text = JSON.stringify(block);
    for (const match of text.matchAll(/aws_secretsmanager_secret\.([\w-]+)\.arn/g)) grantedSecrets.add(`aws_secretsmanager_secret.${match[1]}`);
    grantsParameterPaths ||= text.includes("local.jobs_parameter_paths");
  }
  const granted = { secretNames: new Set(), parameterPaths: null };
  for (const [address, name] of secretByAddress) {
    if (grantedSecrets.has(address)) granted.secretNames.add(name);
  }
  if (grantsParameterPaths) {
    try {
      const paths = evaluator.value("local.jobs_parameter_paths");
      if (!Array.isArray(paths)) throw new Error("local.jobs_parameter_paths is not a literal list");
      granted.parameterPaths = new Set(paths);
    } catch (error) {
      problems.push(`iam: ${error.message}`);
    }
  }
  return { secrets, parameters, granted, problems };
}

/**
 * The contract in a normalised form. Accepts both shapes common has used: a secret maps to a key list or
 * to { requiredKeys: [...] }; a parameter path maps to a target string or to { required: boolean }.
 */
function readContract(file) {
  const contract = JSON.parse(readFileSync(file, "utf8"));
  const prefix = contract.defaultPrefix;
  if (typeof prefix !== "string" || !contract.secrets || !contract.parameterPaths) {
    throw new Error(`${file}: expected defaultPrefix, secrets and parameterPaths`);
  }
  const secrets = new Map(
    Object.entries(contract.secrets).map(([name, spec]) => [
      `${prefix}/${name}`,
      [...(Array.isArray(spec) ? spec : spec.requiredKeys ?? spec.keys ?? [])].sort(),
    ]),
  );
  const parameterPaths = new Map(
    Object.entries(contract.parameterPaths).map(([path, spec]) => [
      `${prefix}/${path}`,
      typeof spec === "object" && spec !== null && "required" in spec ? Boolean(spec.required) : true,
    ]),
  );
  return { prefix, secrets, parameterPaths };
}

function compareWithContract(contract, written) {
  const problems = [];
  for (const [name, keys] of contract.secrets) {
    const secret = written.secrets.get(name);
    if (!secret) {
      problems.push(`contract: common reads secret '${name}' but terraform/ writes no such secret`);
      continue;
    }
    const missing = keys.filter((key) => !secret.keys.includes(key));
    const extra = secret.keys.filter((key) => !keys.includes(key));
    if (missing.length) problems.push(`contract: ${secret.where}: secret '${name}' lacks JSON keys ${missing.join(", ")}`);
    if (extra.length) problems.push(`contract: ${secret.where}: secret '${name}' has JSON keys common does not read: ${extra.join(", ")}`);
  }
  for (const name of written.secrets.keys()) {
    if (!contract.secrets.has(name)) problems.push(`contract: terraform/ writes secret '${name}' that common does not read`);
  }
  for (const [path, required] of contract.parameterPaths) {
    if (required && !written.parameters.some(({ name }) => name.startsWith(`${path}/`))) {
      problems.push(`contract: common requires SSM parameters under '${path}/' but terraform/ writes none`);
    }
  }
  for (const name of contract.secrets.keys()) {
    if (written.secrets.has(name) && !written.granted.secretNames.has(name)) {
      problems.push(`contract: no aws_iam_policy_document grants secret '${name}' (aws_secretsmanager_secret.<name>.arn)`);
    }
  }
  if (!written.granted.parameterPaths) {
    problems.push("contract: no aws_iam_policy_document grants the parameter paths in local.jobs_parameter_paths");
  } else {
    for (const path of contract.parameterPaths.keys()) {
      const relative = path.slice(contract.prefix.length + 1);
      if (!written.granted.parameterPaths.has(relative)) {
        problems.push(`contract: local.jobs_parameter_paths (the IAM grant) lacks '${relative}', which common reads`);
      }
    }
  }
  for (const { name, where } of written.parameters) {
    const path = name.slice(0, name.lastIndexOf("/"));
    if (!contract.parameterPaths.has(path)) {
      problems.push(`contract: ${where}: parameter '${name}' is not under any path common reads (${[...contract.parameterPaths.keys()].join(", ")})`);
    }
  }
  return problems;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const dir = resolve(options["terraform-dir"]);
  const { parsed, problems } = await parseConfiguration(dir);
  if (problems.length === 0) {
    const declared = collectDeclarations(parsed);
    problems.push(...(await checkReferences(parsed, declared, dir)));
    const schema = readProviderSchema(options["provider-schema"]);
    problems.push(...checkProviderPins(parsed, declared, schema));
    problems.push(...checkNamesAgainstSchema(declared, schema));
    problems.push(...(await checkAttributeReferences(parsed, declared, schema)));
    problems.push(...(await checkSecretOutputs(parsed, declared, schema)));
    problems.push(...checkIamActions(declared));
    problems.push(...checkRequiredValidations(declared));
    const written = extractAwsNames(declared);
    problems.push(...written.problems);
    if (written.problems.length === 0) {
      problems.push(...compareWithContract(readContract(options.contract), written));
    }
    if (problems.length === 0) {
      console.log(
        `terraform: ${parsed.length} files parsed, references resolved; ${declared.resource.size} resources and ` +
          `${declared.data.size} data sources match the provider schema snapshot; IAM actions allowed; ` +
          `${written.secrets.size} secrets and ${written.parameters.length} SSM parameters match ${options.contract}`,
      );
    }
  }
  for (const problem of problems) console.error(`terraform: ${problem}`);
  process.exitCode = problems.length ? 1 : 0;
}

main().catch((error) => {
  console.error(`terraform: ${error.message}`);
  process.exitCode = 1;
});
