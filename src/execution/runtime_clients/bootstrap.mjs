// fauxlambda's small Node.js runtime client for the Lambda Runtime API (2018-06-01), used when the
// official aws-lambda-ric is not available. Behaves like it where a function can tell: handler
// resolution (`file.export`, CommonJS and ES modules), error payloads, the context object,
// async and callback handlers, _X_AMZN_TRACE_ID.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const BASE = "/2018-06-01/runtime";

function call(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: BASE + urlPath, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function toErrorObject(err) {
  if (err instanceof Error || (err && typeof err.stack === "string" && typeof err.message === "string")) {
    return { errorType: err.name, errorMessage: err.message, trace: err.stack.split("\n") };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

function namedError(name, message) {
  const e = new Error(message);
  e.name = name;
  return e;
}

async function postError(urlPath, err) {
  const obj = toErrorObject(err);
  console.error(`${new Date().toISOString()}\t${currentRequestId || "undefined"}\tERROR\t${JSON.stringify(obj)}`);
  await call("POST", urlPath, JSON.stringify(obj), {
    "Content-Type": "application/vnd.aws.lambda.error+json",
    "Lambda-Runtime-Function-Error-Type": obj.errorType,
  });
}

function isModuleType(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    if (d.endsWith("/node_modules")) return false;
    const pj = path.join(d, "package.json");
    if (fs.existsSync(pj)) {
      try { return JSON.parse(fs.readFileSync(pj, "utf8")).type === "module"; } catch { return false; }
    }
    if (d === path.dirname(d)) return false;
  }
}

async function loadModule(root, name) {
  const base = path.resolve(root, name);
  const require = createRequire(path.join(root, "noop.js"));
  if (fs.existsSync(base) && fs.statSync(base).isFile()) return require(base);
  const esm = isModuleType(path.dirname(base + ".js"));
  if (fs.existsSync(base + ".js")) return esm ? import(pathToFileURL(base + ".js").href) : require(base + ".js");
  if (fs.existsSync(base + ".mjs")) return import(pathToFileURL(base + ".mjs").href);
  if (fs.existsSync(base + ".cjs")) return require(base + ".cjs");
  return require(require.resolve(name, { paths: [root] }));
}

async function loadHandler(root, handlerString) {
  const file = path.basename(handlerString);
  const dir = handlerString.slice(0, handlerString.length - file.length);
  const m = file.match(/^([^.]*)\.(.*)$/);
  if (!m) throw namedError("Runtime.MalformedHandlerName", "Bad handler");
  let mod;
  try {
    mod = await loadModule(path.resolve(root, dir), m[1]);
  } catch (e) {
    if (e instanceof SyntaxError) throw namedError("Runtime.UserCodeSyntaxError", String(e));
    if (e && e.code === "MODULE_NOT_FOUND") throw namedError("Runtime.ImportModuleError", String(e));
    throw e;
  }
  const fn = m[2].split(".").reduce((o, k) => o && o[k], mod);
  if (!fn) throw namedError("Runtime.HandlerNotFound", `${handlerString} is undefined or not exported`);
  if (typeof fn !== "function") throw namedError("Runtime.HandlerNotFound", `${handlerString} is not a function`);
  return fn;
}

function makeContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const json = (h) => (headers[h] ? JSON.parse(headers[h]) : undefined);
  const ctx = {
    callbackWaitsForEmptyEventLoop: true,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: json("lambda-runtime-client-context"),
    identity: json("lambda-runtime-cognito-identity"),
    tenantId: headers["lambda-runtime-aws-tenant-id"],
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  return ctx;
}

// Runs the handler: a promise, or the callback (whichever answers first).
function runHandler(fn, event, context) {
  return new Promise((resolve, reject) => {
    let done = false;
    const callback = (err, result) => {
      if (done) return;
      done = true;
      if (err !== undefined && err !== null) reject(err); else resolve(result);
    };
    context.done = callback;
    context.succeed = (r) => callback(null, r);
    context.fail = (e) => callback(e ?? "handled");
    try {
      const r = fn(event, context, callback);
      if (r && typeof r.then === "function") r.then((v) => callback(null, v), (e) => callback(e ?? new Error("Promise rejected")));
      else if (fn.length < 3 && !done) callback(null, r);
    } catch (e) {
      callback(e);
    }
  });
}

let currentRequestId;

const handlerString = process.argv[2] || process.env._HANDLER;
const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
let handler;
try {
  handler = await loadHandler(root, handlerString);
} catch (e) {
  await postError("/init/error", e);
  process.exit(129);
}

for (;;) {
  const next = await call("GET", "/invocation/next");
  const id = next.headers["lambda-runtime-aws-request-id"];
  currentRequestId = id;
  if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;
  try {
    const context = makeContext(next.headers);
    const event = next.body.length ? JSON.parse(next.body.toString("utf8")) : {};
    const result = await runHandler(handler, event, context);
    const body = result === undefined ? "null" : JSON.stringify(result);
    await call("POST", `/invocation/${id}/response`, body, { "Content-Type": "application/json" });
  } catch (e) {
    await postError(`/invocation/${id}/error`, e);
  }
}
