// Generated from releaseManifestSchema (schema.ts) by scripts/compile-schema.ts: do not edit.
// `npx vitest run packages/manifest -u` writes it again; release-manifest-check.test.ts fails while it is stale.
import { isFullVersion, isSafeReleasePath, referenceIssues, type ManifestIssue } from '../rules.js';

/** Every problem the schema finds in `value`, with its path; none when the value is valid. */
export function releaseManifestIssues(value: unknown): ManifestIssue[] {
  const issues: Issue[] = [];
  check0(value, [], issues);
  return issues.map(({ path, message }) => ({ path, message }));
}

// --- internal ---

type Path = (string | number)[];
// `fatal`: the value is not even of the right kind, which stops checks that need it to be (zod: an issue that does not `continue`).
type Issue = ManifestIssue & { fatal: boolean };

const PATTERN_0 = /^(?!.*\.\.)[a-z][a-z0-9._-]{0,63}$/;
const PATTERN_1 = /^[0-9a-f]{64}$/;
const PATTERN_2 = /^\.\/[\w./-]+$/;
const PATTERN_3 = /^[0-9a-f]{7,64}$/;
const PATTERN_4 = /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z))$/;

function check1(value: unknown, path: Path, issues: Issue[]): void {
  if (!(value === "modmesh.release/v1")) {
    issues.push({ path, message: "Invalid input: expected \"modmesh.release/v1\"", fatal: true });
    return;
  }
}

function check2(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (!PATTERN_0.test(value)) problem("must be lowercase letters, digits, '-', '_' and '.' (no '..'), starting with a letter, at most 64 characters", path, issues);
}

function check3(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (value.length > 128 && codePoints(value) > 128) problem("Too big: expected string to have <=128 characters", path, issues);
  if (!isFullVersion(value as Parameters<typeof isFullVersion>[0])) problem("must be a full semantic version such as 1.2.3", path, issues);
}

function check6(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (value.length < 2 && codePoints(value) < 1) problem("Too small: expected string to have >=1 characters", path, issues);
  if (value.length > 512 && codePoints(value) > 512) problem("Too big: expected string to have <=512 characters", path, issues);
  if (!isSafeReleasePath(value as Parameters<typeof isSafeReleasePath>[0])) problem("must be a relative path with forward slashes and no \".\", \"..\" or empty segments", path, issues);
}

function check7(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) return wrongType('number', value, path, issues);
  if (!Number.isInteger(value)) return void issues.push({ path, message: 'Invalid input: expected int, received number', fatal: true });
  if (value > Number.MAX_SAFE_INTEGER) problem("Too big: expected int to be <=9007199254740991", path, issues);
  else if (value < Number.MIN_SAFE_INTEGER) problem("Too small: expected int to be >=-9007199254740991", path, issues);
  if (!(value >= 0)) problem("Too small: expected number to be >=0", path, issues);
  if (!(value <= 9007199254740991)) problem("Too big: expected number to be <=9007199254740991", path, issues);
}

function check8(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (!PATTERN_1.test(value)) problem("must be 64 lowercase hex digits", path, issues);
}

function check5(value: unknown, path: Path, issues: Issue[]): void {
  if (!isObject(value)) return wrongType('object', value, path, issues);
  const start = issues.length;
  check6(value["path"], [...path, "path"], issues);
  check7(value["size"], [...path, "size"], issues);
  check8(value["sha256"], [...path, "sha256"], issues);
  const known = new Set(["path","size","sha256"]);
  const unknown: string[] = [];
  for (const key in value) if (!known.has(key)) unknown.push(key);
  if (unknown.length > 0) {
    const keys = unknown.map((key) => JSON.stringify(key)).join(', ');
    problem((unknown.length > 1 ? 'Unrecognized keys: ' : 'Unrecognized key: ') + keys, path, issues);
  }
}

function check4(value: unknown, path: Path, issues: Issue[]): void {
  if (!Array.isArray(value)) return wrongType('array', value, path, issues);
  if (value.length > 10000) return void issues.push({ path, message: "Too big: expected array to have <=10000 items", fatal: true });
  value.forEach((item, index) => check5(item, [...path, index], issues));
  if (value.length < 1) problem("Too small: expected array to have >=1 items", path, issues);
  if (value.length > 10000) problem("Too big: expected array to have <=10000 items", path, issues);
}

function check11(value: unknown, path: Path, issues: Issue[]): void {
  if (!(value === "node" || value === "web")) {
    issues.push({ path, message: "Invalid option: expected one of \"node\"|\"web\"", fatal: true });
    return;
  }
}

function check12(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (value.length < 2 && codePoints(value) < 1) problem("Too small: expected string to have >=1 characters", path, issues);
  if (value.length > 128 && codePoints(value) > 128) problem("Too big: expected string to have <=128 characters", path, issues);
}

function check15(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (!PATTERN_2.test(value)) problem("must start with \"./\"", path, issues);
}

function check17(value: unknown, path: Path, issues: Issue[]): void {
  if (!Array.isArray(value)) return wrongType('array', value, path, issues);
  value.forEach((item, index) => check6(item, [...path, index], issues));
}

function check16(value: unknown, path: Path, issues: Issue[]): void {
  if (value === undefined) return;
  check17(value, path, issues);
}

function check14(value: unknown, path: Path, issues: Issue[]): void {
  if (!isObject(value)) return wrongType('object', value, path, issues);
  const start = issues.length;
  check15(value["name"], [...path, "name"], issues);
  check16(value["files"], [...path, "files"], issues);
  const known = new Set(["name","files"]);
  const unknown: string[] = [];
  for (const key in value) if (!known.has(key)) unknown.push(key);
  if (unknown.length > 0) {
    const keys = unknown.map((key) => JSON.stringify(key)).join(', ');
    problem((unknown.length > 1 ? 'Unrecognized keys: ' : 'Unrecognized key: ') + keys, path, issues);
  }
}

function check13(value: unknown, path: Path, issues: Issue[]): void {
  if (!Array.isArray(value)) return wrongType('array', value, path, issues);
  value.forEach((item, index) => check14(item, [...path, index], issues));
}

function check20(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (value.length < 2 && codePoints(value) < 1) problem("Too small: expected string to have >=1 characters", path, issues);
  if (value.length > 214 && codePoints(value) > 214) problem("Too big: expected string to have <=214 characters", path, issues);
}

function check21(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (value.length > 128 && codePoints(value) > 128) problem("Too big: expected string to have <=128 characters", path, issues);
}

function check24(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (value.length > 256 && codePoints(value) > 256) problem("Too big: expected string to have <=256 characters", path, issues);
}

function check25(value: unknown, path: Path, issues: Issue[]): void {
  if (!(value === false)) {
    issues.push({ path, message: "Invalid input: expected false", fatal: true });
    return;
  }
}

function check23(value: unknown, path: Path, issues: Issue[]): void {
  const results: Issue[][] = [];
  for (const option of [check24, check25]) {
    const found: Issue[] = [];
    option(value, path, found);
    if (found.length === 0) return;
    results.push(found);
  }
  // One option the value is of the right kind for: its problems are the problems (as zod says them).
  const near = results.filter((found) => !found.some((issue) => issue.fatal));
  if (near.length === 1) issues.push(...(near[0] as Issue[]));
  else issues.push({ path, message: 'Invalid input', fatal: true });
}

function check22(value: unknown, path: Path, issues: Issue[]): void {
  if (value === undefined) return;
  check23(value, path, issues);
}

function check26(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'boolean') return wrongType('boolean', value, path, issues);
}

function check28(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'boolean') return wrongType('boolean', value, path, issues);
}

function check27(value: unknown, path: Path, issues: Issue[]): void {
  if (value === undefined) return;
  check28(value, path, issues);
}

function check19(value: unknown, path: Path, issues: Issue[]): void {
  if (!isObject(value)) return wrongType('object', value, path, issues);
  const start = issues.length;
  check20(value["name"], [...path, "name"], issues);
  check21(value["version"], [...path, "version"], issues);
  check22(value["requiredVersion"], [...path, "requiredVersion"], issues);
  check26(value["singleton"], [...path, "singleton"], issues);
  check27(value["strictVersion"], [...path, "strictVersion"], issues);
  const known = new Set(["name","version","requiredVersion","singleton","strictVersion"]);
  const unknown: string[] = [];
  for (const key in value) if (!known.has(key)) unknown.push(key);
  if (unknown.length > 0) {
    const keys = unknown.map((key) => JSON.stringify(key)).join(', ');
    problem((unknown.length > 1 ? 'Unrecognized keys: ' : 'Unrecognized key: ') + keys, path, issues);
  }
}

function check18(value: unknown, path: Path, issues: Issue[]): void {
  if (!Array.isArray(value)) return wrongType('array', value, path, issues);
  value.forEach((item, index) => check19(item, [...path, index], issues));
}

function check10(value: unknown, path: Path, issues: Issue[]): void {
  if (!isObject(value)) return wrongType('object', value, path, issues);
  const start = issues.length;
  check11(value["target"], [...path, "target"], issues);
  check12(value["name"], [...path, "name"], issues);
  check6(value["entry"], [...path, "entry"], issues);
  check13(value["exposes"], [...path, "exposes"], issues);
  check18(value["shared"], [...path, "shared"], issues);
  const known = new Set(["target","name","entry","exposes","shared"]);
  const unknown: string[] = [];
  for (const key in value) if (!known.has(key)) unknown.push(key);
  if (unknown.length > 0) {
    const keys = unknown.map((key) => JSON.stringify(key)).join(', ');
    problem((unknown.length > 1 ? 'Unrecognized keys: ' : 'Unrecognized key: ') + keys, path, issues);
  }
}

function check9(value: unknown, path: Path, issues: Issue[]): void {
  if (!Array.isArray(value)) return wrongType('array', value, path, issues);
  if (value.length > 8) return void issues.push({ path, message: "Too big: expected array to have <=8 items", fatal: true });
  value.forEach((item, index) => check10(item, [...path, index], issues));
  if (value.length < 1) problem("Too small: expected array to have >=1 items", path, issues);
  if (value.length > 8) problem("Too big: expected array to have <=8 items", path, issues);
}

function check30(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (value.length < 2 && codePoints(value) < 1) problem("Too small: expected string to have >=1 characters", path, issues);
  if (value.length > 64 && codePoints(value) > 64) problem("Too big: expected string to have <=64 characters", path, issues);
}

function check31(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (value.length < 2 && codePoints(value) < 1) problem("Too small: expected string to have >=1 characters", path, issues);
  if (value.length > 64 && codePoints(value) > 64) problem("Too big: expected string to have <=64 characters", path, issues);
}

function check33(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (!PATTERN_3.test(value)) problem("Invalid string: must match pattern /^[0-9a-f]{7,64}$/", path, issues);
}

function check32(value: unknown, path: Path, issues: Issue[]): void {
  if (value === undefined) return;
  check33(value, path, issues);
}

function check34(value: unknown, path: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return wrongType('string', value, path, issues);
  if (!PATTERN_4.test(value)) problem("Invalid ISO datetime", path, issues);
}

function check29(value: unknown, path: Path, issues: Issue[]): void {
  if (!isObject(value)) return wrongType('object', value, path, issues);
  const start = issues.length;
  check30(value["bundler"], [...path, "bundler"], issues);
  check31(value["bundlerVersion"], [...path, "bundlerVersion"], issues);
  check32(value["gitCommit"], [...path, "gitCommit"], issues);
  check34(value["createdAt"], [...path, "createdAt"], issues);
  const known = new Set(["bundler","bundlerVersion","gitCommit","createdAt"]);
  const unknown: string[] = [];
  for (const key in value) if (!known.has(key)) unknown.push(key);
  if (unknown.length > 0) {
    const keys = unknown.map((key) => JSON.stringify(key)).join(', ');
    problem((unknown.length > 1 ? 'Unrecognized keys: ' : 'Unrecognized key: ') + keys, path, issues);
  }
}

function check0(value: unknown, path: Path, issues: Issue[]): void {
  if (!isObject(value)) return wrongType('object', value, path, issues);
  const start = issues.length;
  check1(value["schema"], [...path, "schema"], issues);
  check2(value["name"], [...path, "name"], issues);
  check3(value["version"], [...path, "version"], issues);
  check4(value["files"], [...path, "files"], issues);
  check9(value["containers"], [...path, "containers"], issues);
  check29(value["build"], [...path, "build"], issues);
  const known = new Set(["schema","name","version","files","containers","build"]);
  const unknown: string[] = [];
  for (const key in value) if (!known.has(key)) unknown.push(key);
  if (unknown.length > 0) {
    const keys = unknown.map((key) => JSON.stringify(key)).join(', ');
    problem((unknown.length > 1 ? 'Unrecognized keys: ' : 'Unrecognized key: ') + keys, path, issues);
  }
  // zod runs an object’s own checks only when all of its fields are of the right kind.
  if (issues.slice(start).some((issue) => issue.fatal)) return;
  for (const issue of referenceIssues(value as unknown as Parameters<typeof referenceIssues>[0])) {
    problem(issue.message, [...path, ...issue.path], issues);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// zod measures strings in code points, not UTF-16 units.
function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

function wrongType(expected: string, value: unknown, path: Path, issues: Issue[]): void {
  issues.push({ path, message: `Invalid input: expected ${expected}, received ${typeName(value)}`, fatal: true });
}

function problem(message: string, path: Path, issues: Issue[]): void {
  issues.push({ path, message, fatal: false });
}
