// fauxlambda's small Node.js runtime client for the Lambda Runtime API (2018-06-01), used when the
// official aws-lambda-ric is not available. Behaves like it where a function can tell: handler
// resolution (`file.export`, CommonJS and ES modules), error payloads, the context object,
// async and callback handlers, _X_AMZN_TRACE_ID, and response streaming (the `awslambda` global:
// `streamifyResponse`, `HttpResponseStream.from`).
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

// ---- response streaming ------------------------------------------------------------------------
// A handler tagged by `awslambda.streamifyResponse` is called as `handler(event, responseStream,
// context)`. The stream is a chunked POST to `/response` with the streaming mode header: each write
// is sent as it is made; a failure ends it with the error trailers (the body trailer is base64 of
// the error JSON).

const STREAMING = Symbol("fauxlambda.streaming");
const ERROR_TYPE_TRAILER = "Lambda-Runtime-Function-Error-Type";
const ERROR_BODY_TRAILER = "Lambda-Runtime-Function-Error-Body";
const HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response";

class HttpResponseStream {
  // The prelude (status, headers, cookies) and its 8 NUL bytes go out just before the first write.
  static from(stream, prelude) {
    stream.setContentType(HTTP_INTEGRATION);
    const json = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(json);
      write(new Uint8Array(8));
    };
    return stream;
  }
}

globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = true;
    return handler;
  },
  HttpResponseStream,
};

// The response stream of invocation `id`; `done` settles once the Runtime API has answered it.
function responseStream(id) {
  let written = false;
  let answered;
  const done = new Promise((resolve, reject) => (answered = { resolve, reject }));
  const req = http.request(
    {
      host, port, method: "POST", path: `${BASE}/invocation/${id}/response`, agent,
      headers: {
        "Lambda-Runtime-Function-Response-Mode": "streaming",
        Trailer: `${ERROR_TYPE_TRAILER}, ${ERROR_BODY_TRAILER}`,
        "Content-Type": "application/octet-stream",
      },
    },
    (res) => {
      res.resume();
      res.on("end", () => answered.resolve(res.statusCode));
    },
  );
  req.on("error", (e) => answered.reject(e));
  const write = req.write.bind(req);
  const end = req.end.bind(req);
  req.setContentType = (contentType) => {
    if (written) throw namedError("Runtime.InvalidStreamingOperation", "Cannot set content-type, too late.");
    req.setHeader("Content-Type", contentType);
  };
  req.write = (chunk, encoding, callback) => {
    if (typeof chunk !== "string" && !(chunk instanceof Uint8Array)) chunk = JSON.stringify(chunk);
    if (!written) {
      written = true;
      if (typeof req._onBeforeFirstWrite === "function") req._onBeforeFirstWrite((c) => write(c));
    }
    return write(chunk, encoding, callback);
  };
  // A last chunk given to `end` is written like any other (after the prelude, if there is one).
  req.end = (chunk, encoding, callback) => {
    if (typeof chunk === "function") return end(chunk);
    if (chunk !== undefined && chunk !== null) req.write(chunk, typeof encoding === "string" ? encoding : undefined);
    return end(typeof encoding === "function" ? encoding : callback);
  };
  const fail = (err) => {
    const obj = toErrorObject(err);
    console.error(`${new Date().toISOString()}\t${currentRequestId}\tERROR\tInvoke Error \t${JSON.stringify(obj)}`);
    if (req.writableEnded) return;
    req.addTrailers({
      [ERROR_TYPE_TRAILER]: obj.errorType,
      [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(obj)).toString("base64"),
    });
    end();
  };
  return { stream: req, done, fail };
}

// Runs a streaming handler: its promise, then the end of its stream (which it may end later).
async function runStreaming(fn, event, context, id) {
  const { stream, done, fail } = responseStream(id);
  try {
    const r = fn(event, stream, context);
    if (!r || typeof r.then !== "function") throw namedError("Runtime.InvalidStreamingOperation", "Streaming does not support non-async handlers.");
    await r;
  } catch (e) {
    fail(e);
  }
  try {
    await done;
  } catch (e) {
    console.error(`${new Date().toISOString()}\t${id}\tERROR\tthe response stream failed: ${e}`);
  }
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
    if (handler[STREAMING]) {
      await runStreaming(handler, event, context, id);
      continue;
    }
    const result = await runHandler(handler, event, context);
    const body = result === undefined ? "null" : JSON.stringify(result);
    await call("POST", `/invocation/${id}/response`, body, { "Content-Type": "application/json" });
  } catch (e) {
    await postError(`/invocation/${id}/error`, e);
  }
}
