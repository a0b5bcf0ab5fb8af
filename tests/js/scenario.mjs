// JavaScript SDK v3 scenario: starts fauxlambda on a free loopback port with its own data
// directory and drives it with @aws-sdk/client-lambda (unpacked from the vendored tarball into
// tests/js/node_modules by scripts/test-deps): create, get, list, update, publish, alias, delete,
// and a ResourceNotFoundException with AWS's name and message.
// Run: node tests/js/scenario.mjs   (FAUXLAMBDA_BIN picks the binary, default target/debug/fauxlambda)

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, existsSync, createWriteStream } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32 } from "node:zlib";
import assert from "node:assert/strict";
import {
  LambdaClient,
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionCodeCommand,
  PublishVersionCommand,
  CreateAliasCommand,
  GetAliasCommand,
  DeleteFunctionCommand,
  ResourceNotFoundException,
  paginateListFunctions,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = process.env.FAUXLAMBDA_BIN ?? join(root, "target", "debug", "fauxlambda");
const ROLE = "arn:aws:iam::000000000000:role/lambda-role";
const fnArn = (name, q) => `arn:aws:lambda:us-east-1:000000000000:function:${name}${q ? `:${q}` : ""}`;

/** A zip (stored, no compression) holding the given files. */
function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBuf = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(0, 30); // extra, comment lengths
    central.writeUInt32LE(0, 34); // disk, internal attributes
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const sha256b64 = (b) => createHash("sha256").update(b).digest("base64");

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function canConnect(port) {
  return new Promise((ok) => {
    const c = connect(port, "127.0.0.1");
    c.on("connect", () => (c.destroy(), ok(true)));
    c.on("error", () => ok(false));
  });
}

// Waits for a condition instead of for a time: calls `check` at once and then every 20 ms until it
// resolves to something truthy, and returns that; throws "<what>: not true within <ms> ms" after.
async function eventually(what, ms, check) {
  const until = Date.now() + ms;
  for (;;) {
    const past = Date.now() >= until;
    const value = await check();
    if (value) return value;
    if (past) throw new Error(`${what}: not true within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startServer() {
  if (!existsSync(bin)) throw new Error(`fauxlambda binary not found at ${bin} (cargo build, or set FAUXLAMBDA_BIN)`);
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), "fauxlambda-js-"));
  const env = { ...process.env };
  delete env.AWS_ENDPOINT_URL;
  delete env.AWS_ENDPOINT_URL_S3;
  const log = createWriteStream(join(data, "server.log"));
  const child = spawn(bin, ["--listen", `127.0.0.1:${port}`, "--data-dir", join(data, "store"), "--log-level", "warn", "--executor", "process"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  child.on("exit", () => (exited = true));
  await eventually("fauxlambda listens", 15000, async () => {
    if (exited) throw new Error(`fauxlambda exited at start (see ${join(data, "server.log")})`);
    return canConnect(port);
  });
  const stop = () => {
    child.kill();
    rmSync(data, { recursive: true, force: true });
  };
  return { endpoint: `http://127.0.0.1:${port}`, stop };
}

const results = { passed: 0, failed: 0 };
async function step(what, fn) {
  try {
    await fn();
    results.passed++;
    console.log(`ok   ${what}`);
  } catch (e) {
    results.failed++;
    console.log(`FAIL ${what}\n     ${String(e?.stack ?? e).split("\n").join("\n     ")}`);
    throw e;
  }
}

const server = await startServer();
let exitCode = 0;
try {
  const client = new LambdaClient({
    endpoint: server.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
  const waiter = { client, maxWaitTime: 20, minDelay: 1, maxDelay: 1 };
  const name = "js-scenario";
  const code = zip({ "index.mjs": "export const handler = async (event) => event;\n" });

  await step("CreateFunction", async () => {
    const out = await client.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs20.x",
        Role: ROLE,
        Handler: "index.handler",
        Code: { ZipFile: code },
        Description: "from the JS SDK",
      }),
    );
    assert.equal(out.$metadata.httpStatusCode, 201);
    assert.equal(out.FunctionArn, fnArn(name));
    assert.equal(out.State, "Pending");
    assert.equal(out.CodeSha256, sha256b64(code));
    assert.equal(out.CodeSize, code.length);
    const waited = await waitUntilFunctionActiveV2(waiter, { FunctionName: name });
    assert.equal(waited.state, "SUCCESS");
  });

  await step("GetFunction", async () => {
    const out = await client.send(new GetFunctionCommand({ FunctionName: name }));
    assert.equal(out.Configuration.State, "Active");
    assert.equal(out.Configuration.Runtime, "nodejs20.x");
    assert.equal(out.Configuration.Description, "from the JS SDK");
    assert.equal(out.Code.RepositoryType, "S3");
    const res = await fetch(out.Code.Location);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), code, "Code.Location serves the zip");
  });

  await step("ListFunctions (paginator)", async () => {
    const names = [];
    for await (const page of paginateListFunctions({ client, pageSize: 1 }, {})) {
      names.push(...page.Functions.map((f) => f.FunctionName));
    }
    assert.ok(names.includes(name), `${name} in ${names}`);
  });

  await step("UpdateFunctionConfiguration and UpdateFunctionCode", async () => {
    const cfg = await client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 20, Environment: { Variables: { MODE: "js" } } }),
    );
    assert.equal(cfg.Timeout, 20);
    assert.deepEqual(cfg.Environment.Variables, { MODE: "js" });
    await waitUntilFunctionUpdatedV2(waiter, { FunctionName: name });
    const newCode = zip({ "index.mjs": "export const handler = async () => 'v2';\n" });
    const out = await client.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: newCode }));
    assert.equal(out.CodeSha256, sha256b64(newCode));
    await waitUntilFunctionUpdatedV2(waiter, { FunctionName: name });
    const now = await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    assert.equal(now.LastUpdateStatus, "Successful");
    assert.equal(now.CodeSha256, sha256b64(newCode));
  });

  await step("PublishVersion", async () => {
    const out = await client.send(new PublishVersionCommand({ FunctionName: name, Description: "v1" }));
    assert.equal(out.$metadata.httpStatusCode, 201);
    assert.equal(out.Version, "1");
    assert.equal(out.FunctionArn, fnArn(name, "1"));
    assert.equal(out.Timeout, 20);
  });

  await step("CreateAlias and GetAlias", async () => {
    const created = await client.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1" }));
    assert.equal(created.AliasArn, fnArn(name, "live"));
    const got = await client.send(new GetAliasCommand({ FunctionName: name, Name: "live" }));
    assert.equal(got.FunctionVersion, "1");
    assert.equal(got.RevisionId, created.RevisionId);
  });

  await step("DeleteFunction", async () => {
    const out = await client.send(new DeleteFunctionCommand({ FunctionName: name }));
    assert.equal(out.$metadata.httpStatusCode, 204);
  });

  await step("GetFunction of a deleted function is ResourceNotFoundException", async () => {
    await assert.rejects(client.send(new GetFunctionCommand({ FunctionName: name })), (e) => {
      assert.ok(e instanceof ResourceNotFoundException, `${e?.name}: ${e?.message}`);
      assert.equal(e.name, "ResourceNotFoundException");
      assert.equal(e.message, `Function not found: ${fnArn(name)}`);
      assert.equal(e.$metadata.httpStatusCode, 404);
      return true;
    });
  });
} catch (e) {
  if (!results.failed) console.log(`FAIL scenario: ${e?.stack ?? e}`);
  exitCode = 1;
} finally {
  server.stop();
}
console.log(`js scenario: ${results.passed} passed, ${results.failed} failed`);
process.exit(exitCode);
