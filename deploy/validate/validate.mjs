#!/usr/bin/env node
// Offline schema check of rendered Kubernetes manifests.
//
//   node deploy/validate/validate.mjs [--json OUT] FILE|-
//   node deploy/validate/validate.mjs --to-json FILE|-
//
// The first form reads a multi-document YAML stream (e.g. `kubectl kustomize deploy/k8s/overlays/prod`),
// validates every object against the JSON schema of its apiVersion/kind from `kubernetes-models`
// (core and built-in groups) or `@kubernetes-models/keda` (keda.sh), and exits 1 with one line per
// problem if any object fails. With --json OUT it also writes the documents as a JSON array, so the
// .NET tests can assert on them with System.Text.Json and need no YAML library.
//
// The second form only converts YAML to a JSON array on stdout (used for files that are not
// Kubernetes objects: compose, Prometheus rules).
//
// What this catches: wrong types and values (a string where an integer belongs, an invalid enum),
// missing required fields, unknown apiVersion/kind. What it does not catch: unknown or misspelt fields,
// because the published schemas allow additional properties.

import { readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const KEDA_GROUPS = new Set(["keda.sh", "eventing.keda.sh"]);

function usage(message) {
  if (message) console.error(`validate: ${message}`);
  console.error("usage: validate.mjs [--json OUT] FILE|-   |   validate.mjs --to-json FILE|-");
  process.exit(2);
}

function parseArgs(argv) {
  const options = { json: null, toJson: false, file: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") {
      options.json = argv[++i] ?? usage("--json needs a file name");
    } else if (arg === "--to-json") {
      options.toJson = true;
    } else if (arg.startsWith("--")) {
      usage(`unknown option ${arg}`);
    } else if (options.file === null) {
      options.file = arg;
    } else {
      usage(`unexpected argument ${arg}`);
    }
  }
  if (options.file === null) usage("no input file");
  return options;
}

function readDocuments(file) {
  const text = readFileSync(file === "-" ? 0 : file, "utf8");
  const documents = parseAllDocuments(text, { prettyErrors: true });
  // A YAML stream that fails to parse has no objects worth validating.
  const problems = documents.flatMap((doc, index) =>
    doc.errors.map((error) => `document ${index + 1}: YAML error: ${error.message}`),
  );
  if (problems.length > 0) {
    problems.forEach((p) => console.error(p));
    process.exit(1);
  }
  return documents.map((doc) => doc.toJS()).filter((value) => value !== null && value !== undefined);
}

// "apps/v1" -> kubernetes-models/apps/v1/<Kind>; "v1" -> kubernetes-models/v1/<Kind>;
// "keda.sh/v1alpha1" -> @kubernetes-models/keda/keda.sh/v1alpha1/<Kind>.
function modulePathFor(apiVersion, kind) {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (!/^[A-Za-z0-9.-]*$/.test(group) || !/^v[0-9a-z]+$/.test(version) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    return null;
  }
  if (KEDA_GROUPS.has(group)) return `@kubernetes-models/keda/${group}/${version}/${kind}`;
  return group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

function describe(object, index) {
  const name = object?.metadata?.name ?? "<unnamed>";
  return `document ${index + 1} (${object?.apiVersion ?? "?"} ${object?.kind ?? "?"} ${name})`;
}

function formatErrors(error) {
  const details = Array.isArray(error?.errors) ? error.errors : null;
  if (!details || details.length === 0) return [String(error?.message ?? error)];
  return details.map((e) => `${e.instancePath || "/"} ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`);
}

async function validate(object, index) {
  const where = describe(object, index);
  if (typeof object !== "object" || Array.isArray(object)) return [`${where}: not a mapping`];
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    return [`${where}: apiVersion and kind must be strings`];
  }
  const path = modulePathFor(object.apiVersion, object.kind);
  if (path === null) return [`${where}: unrecognised apiVersion/kind`];
  let model;
  try {
    model = await import(path);
  } catch {
    return [`${where}: no schema for ${object.apiVersion} ${object.kind} (unknown kind or API version)`];
  }
  const ModelClass = model[object.kind];
  if (typeof ModelClass !== "function") return [`${where}: no model class ${object.kind} in ${path}`];
  try {
    new ModelClass(object).validate();
    return [];
  } catch (error) {
    return formatErrors(error).map((line) => `${where}: ${line}`);
  }
}

const options = parseArgs(process.argv.slice(2));
const objects = readDocuments(options.file);

if (options.toJson) {
  process.stdout.write(JSON.stringify(objects, null, 2) + "\n");
  process.exit(0);
}

if (objects.length === 0) {
  console.error("validate: the input holds no objects");
  process.exit(1);
}

const problems = [];
for (const [index, object] of objects.entries()) {
  problems.push(...(await validate(object, index)));
}

if (options.json) writeFileSync(options.json, JSON.stringify(objects, null, 2) + "\n");

if (problems.length > 0) {
  problems.forEach((p) => console.error(p));
  console.error(`validate: ${problems.length} problem(s) in ${objects.length} object(s)`);
  process.exit(1);
}
console.log(`validate: ${objects.length} object(s) valid`);
