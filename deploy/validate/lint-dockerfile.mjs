#!/usr/bin/env node
// Lints a Dockerfile offline with dockerfile-utils (the checker behind the Dockerfile language server):
// unknown instructions, malformed flags and arguments, invalid ports, bad escapes.
//
//   node deploy/validate/lint-dockerfile.mjs deploy/Dockerfile
//
// Exits 1 and prints one line per problem if any is found. It does not build the image: there is no
// container engine on the build machines.
import { readFileSync } from "node:fs";
import { validate } from "dockerfile-utils";

const file = process.argv[2];
if (!file) {
  console.error("usage: lint-dockerfile.mjs DOCKERFILE");
  process.exit(2);
}

const severities = { 1: "error", 2: "warning", 3: "information", 4: "hint" };
const problems = validate(readFileSync(file, "utf8"));
for (const p of problems) {
  console.error(`${file}:${p.range.start.line + 1}: ${severities[p.severity] ?? p.severity}: ${p.message}`);
}
if (problems.length > 0) {
  console.error(`lint-dockerfile: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`lint-dockerfile: ${file} has no problems`);
