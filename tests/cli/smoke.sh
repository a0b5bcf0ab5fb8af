#!/usr/bin/env bash
# AWS CLI smoke test: starts fauxlambda on a free loopback port with its own data directory and
# drives it with `aws lambda ... --endpoint-url` and dummy credentials: create-function from a
# fileb:// zip, wait function-active-v2, get-function, list-functions, update-function-configuration,
# publish-version, create-alias, get-alias, invoke (the function really runs, under the process
# executor: payload and result, the alias's version, the log tail, DryRun, Event, a handler's
# error, a payload that is not JSON), delete-function. Outputs are checked with --query.
# FAUXLAMBDA_BIN picks the binary (default target/debug/fauxlambda); the CLI is .venv/bin/aws
# (scripts/test-deps installs it), else `aws` on PATH.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

bin="${FAUXLAMBDA_BIN:-$root/target/debug/fauxlambda}"
cli="$root/.venv/bin/aws"
[[ -x "$cli" ]] || cli="$(command -v aws || true)"
[[ -x "$bin" ]] || { echo "smoke: fauxlambda binary not found at $bin (cargo build, or set FAUXLAMBDA_BIN)" >&2; exit 2; }
[[ -n "$cli" ]] || { echo "smoke: the AWS CLI is not installed (run scripts/test-deps)" >&2; exit 2; }
python="$root/.venv/bin/python"
[[ -x "$python" ]] || python="$(command -v python3 || true)"
[[ -n "$python" ]] || { echo "smoke: needs .venv/bin/python (run scripts/test-deps) or \`python3\` on PATH (Python 3.9+)" >&2; exit 2; }

work="$(mktemp -d)"
port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
endpoint="http://127.0.0.1:$port"
env -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_S3 "$bin" --listen "127.0.0.1:$port" --data-dir "$work/data" --log-level warn --executor process >"$work/server.log" 2>&1 &
server=$!
cleanup() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# eventually WHAT SECONDS COMMAND...: waits for a condition instead of for a time: runs COMMAND
# every 20 ms until it succeeds; fails, saying "WHAT: not true within SECONDS s", when that is over.
eventually() {
    local what="$1" seconds="$2"
    shift 2
    local until=$((SECONDS + seconds))
    until "$@"; do
        ((SECONDS < until)) || { echo "smoke: $what: not true within $seconds s" >&2; return 1; }
        sleep 0.02
    done
}
listening() {
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$server" 2>/dev/null || { echo "smoke: fauxlambda exited at start:" >&2; cat "$work/server.log" >&2; exit 1; }
    return 1
}
eventually "fauxlambda listens on port $port" 10 listening || { cat "$work/server.log" >&2; exit 1; }

# Dummy credentials and no user configuration: the CLI must not need anything else.
export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secret AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_LAMBDA
lambda() { "$cli" --endpoint-url "$endpoint" --output text lambda "$@"; }

passed=0
fail() {
    echo >&2
    echo "smoke: FAILED: $1" >&2
    shift
    printf '  %s\n' "$@" >&2
    echo "  server log (last lines):" >&2
    tail -n 20 "$work/server.log" | sed 's/^/    /' >&2
    echo "smoke: $passed passed, 1 failed"
    exit 1
}
# expect WHAT EXPECTED ACTUAL
expect() {
    if [[ "$3" == "$2" ]]; then
        passed=$((passed + 1))
        echo "ok   $1"
    else
        fail "$1" "expected: $2" "actual:   $3"
    fi
}
# expect_error WHAT ERROR_CODE MESSAGE COMMAND...: the command fails with that error code and message
expect_error() {
    local what="$1" code="$2" message="$3" err
    shift 3
    if err="$("$@" 2>&1)"; then
        fail "$what" "expected $code, the command succeeded: $err"
    fi
    case "$err" in
        *"($code)"*"$message"*) expect "$what" ok ok ;;
        *) fail "$what" "expected: ($code) ... $message" "actual:   $err" ;;
    esac
}

name=smoke-fn
arn="arn:aws:lambda:us-east-1:000000000000:function:$name"
role="arn:aws:iam::000000000000:role/lambda-role"
cat >"$work/app.py" <<'EOF'
import os


def handler(event, context):
    print("stage", os.environ.get("STAGE"))
    return {"event": event, "stage": os.environ.get("STAGE"), "version": context.function_version}


def fail(event, context):
    raise ValueError("smoke failure")
EOF
(cd "$work" && "$python" -m zipfile -c fn.zip app.py)
sha="$("$python" -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1],"rb").read()).digest()).decode())' "$work/fn.zip")"

out="$(lambda create-function --function-name "$name" --runtime python3.12 --role "$role" --handler app.handler \
    --zip-file "fileb://$work/fn.zip" --query '[FunctionArn,State,CodeSha256]')" || fail "create-function" "the command failed"
expect "create-function answers the ARN, Pending and the zip's SHA-256" "$arn	Pending	$sha" "$out"

lambda wait function-active-v2 --function-name "$name" || fail "wait function-active-v2" "the waiter failed"
expect "wait function-active-v2" "" ""

out="$(lambda get-function --function-name "$name" --query '[Configuration.State,Configuration.Runtime,Configuration.Handler,Code.RepositoryType]')"
expect "get-function" "Active	python3.12	app.handler	S3" "$out"

out="$(lambda list-functions --query "Functions[?FunctionName=='$name'].FunctionArn")"
expect "list-functions lists it" "$arn" "$out"

out="$(lambda update-function-configuration --function-name "$name" --timeout 15 --memory-size 256 \
    --environment 'Variables={STAGE=smoke}' --query '[Timeout,MemorySize,Environment.Variables.STAGE]')"
expect "update-function-configuration" "15	256	smoke" "$out"
lambda wait function-updated-v2 --function-name "$name" || fail "wait function-updated-v2" "the waiter failed"
out="$(lambda get-function-configuration --function-name "$name" --query '[LastUpdateStatus,Timeout]')"
expect "the update is done" "Successful	15" "$out"

out="$(lambda publish-version --function-name "$name" --description first --query '[Version,FunctionArn,Timeout]')"
expect "publish-version" "1	$arn:1	15" "$out"

out="$(lambda create-alias --function-name "$name" --name live --function-version 1 --query '[AliasArn,FunctionVersion]')"
expect "create-alias" "$arn:live	1" "$out"

out="$(lambda get-alias --function-name "$name" --name live --query '[Name,FunctionVersion]')"
expect "get-alias" "live	1" "$out"

out="$(lambda get-function-configuration --function-name "$name:live" --query Version)"
expect "the alias resolves to version 1" "1" "$out"

# invoke: the function really runs (the CLI writes the result to a file and prints the metadata).
out="$(lambda invoke --function-name "$name" --payload '{"greeting":"hi"}' --query '[StatusCode,ExecutedVersion,FunctionError]' "$work/out.json")"
expect "invoke \$LATEST" "200	\$LATEST	None" "$out"
expect "invoke's result" '{"event": {"greeting": "hi"}, "stage": "smoke", "version": "$LATEST"}' "$(cat "$work/out.json")"

out="$(lambda invoke --function-name "$name" --qualifier live --payload '{}' --query '[StatusCode,ExecutedVersion]' "$work/out.json")"
expect "invoke the alias runs version 1" "200	1" "$out"
expect "the alias's result" '{"event": {}, "stage": "smoke", "version": "1"}' "$(cat "$work/out.json")"

tail="$(lambda invoke --function-name "$name" --payload '{}' --log-type Tail --query LogResult "$work/out.json" | "$python" -c 'import base64,sys; print(base64.b64decode(sys.stdin.read()).decode())')"
lines="$(printf '%s\n' "$tail" | sed -E 's/RequestId: [0-9a-f-]{36}/RequestId: ID/; s/\t.*//' | grep -E '^(START|stage|END|REPORT)')"
expect "invoke --log-type Tail: START, the function's output, END, REPORT" "START RequestId: ID Version: \$LATEST
stage smoke
END RequestId: ID
REPORT RequestId: ID" "$lines"

out="$(lambda invoke --function-name "$name" --invocation-type DryRun --query StatusCode "$work/out.json")"
expect "invoke --invocation-type DryRun" "204" "$out"
out="$(lambda invoke --function-name "$name" --invocation-type Event --payload '{}' --query StatusCode "$work/out.json")"
expect "invoke --invocation-type Event" "202" "$out"

lambda create-function --function-name "$name-fails" --runtime python3.12 --role "$role" --handler app.fail \
    --zip-file "fileb://$work/fn.zip" >/dev/null || fail "create-function $name-fails" "the command failed"
lambda wait function-active-v2 --function-name "$name-fails" || fail "wait function-active-v2" "the waiter failed"
out="$(lambda invoke --function-name "$name-fails" --payload '{}' --query '[StatusCode,FunctionError]' "$work/out.json")"
expect "invoke a handler that raises: 200 and FunctionError Unhandled" "200	Unhandled" "$out"
out="$("$python" -c 'import json,sys; e=json.load(open(sys.argv[1])); print(e["errorType"], e["errorMessage"], len(e["stackTrace"]) > 0)' "$work/out.json")"
expect "the error payload" "ValueError smoke failure True" "$out"
lambda delete-function --function-name "$name-fails" >/dev/null || fail "delete-function $name-fails" "the command failed"

expect_error "invoke with a payload that is not JSON is InvalidRequestContentException" InvalidRequestContentException \
    "Could not parse request body into json: Could not parse payload into json" \
    lambda invoke --function-name "$name" --payload 'not json' "$work/out.json"

lambda delete-function --function-name "$name" >/dev/null || fail "delete-function" "the command failed"
expect "delete-function" "" ""

expect_error "get-function after delete-function is ResourceNotFoundException" ResourceNotFoundException \
    "Function not found: $arn" lambda get-function --function-name "$name"

echo "smoke: $passed passed, 0 failed"
