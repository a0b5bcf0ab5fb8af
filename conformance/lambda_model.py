"""Lambda's Smithy model (model/lambda.json) as the model check reads it: shapes and traits, the
operations the service binds, a generator of strings for the regex subset its patterns use, and
checking a value (an input as built, an output as boto3 parsed it, or raw restJson1 JSON) against a
shape: types, required members, enum values, lengths, ranges and patterns.
"""

import base64
import datetime
import json
import os
import random
import re
import zlib
try:  # Python 3.11+
    from re import _constants as RC
    from re import _parser as RP
except ImportError:  # older Pythons
    import sre_constants as RC
    import sre_parse as RP

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NS = "com.amazonaws.lambda#"
SERVICE = NS + "AWSGirApiService"

# ---------------------------------------------------------------------------------------------------
# The model

with open(os.path.join(ROOT, "model", "lambda.json")) as f:
    SHAPES = json.load(f)["shapes"]

PRELUDE = {
    "String": "string", "Boolean": "boolean", "PrimitiveBoolean": "boolean", "Integer": "integer",
    "PrimitiveInteger": "integer", "Long": "long", "PrimitiveLong": "long", "Double": "double",
    "Float": "float", "Timestamp": "timestamp", "Blob": "blob", "Document": "document", "Unit": "structure",
}


def shape(sid):
    if sid in SHAPES:
        return SHAPES[sid]
    if sid.startswith("smithy.api#"):
        kind = PRELUDE[sid.split("#")[1]]
        return {"type": kind, "members": {}} if kind == "structure" else {"type": kind}
    raise KeyError(sid)


def short(sid):
    return sid.split("#")[1]


def traits(x):
    return x.get("traits", {})


def service_operations():
    """Every operation bound to the service, directly or through its resources (recursively)."""
    ops = set()

    def walk(sid):
        s = SHAPES[sid]
        for key in ("operations", "collectionOperations"):
            for o in s.get(key, []):
                ops.add(o["target"])
        for key in ("create", "put", "read", "update", "delete", "list"):
            if key in s:
                ops.add(s[key]["target"])
        for r in s.get("resources", []):
            walk(r["target"])

    walk(SERVICE)
    return sorted(short(o) for o in ops)


def enum_values(s):
    return [traits(m).get("smithy.api#enumValue", name) for name, m in s["members"].items()]


def py_pattern(p):
    # Smithy patterns are ECMA-262 regexes; Python's `re` lacks the Unicode property classes.
    return p.replace(r"\p{L}", "a-zA-Z\u00c0-\u024f").replace(r"\p{Z}", " \u00a0").replace(r"\p{N}", "0-9")


_RX = {}


def pattern_ok(p, value):
    if p not in _RX:
        _RX[p] = re.compile(py_pattern(p))
    # Smithy patterns are not implicitly anchored.
    return _RX[p].search(value) is not None


# ---------------------------------------------------------------------------------------------------
# A generator of strings for the regex subset the model uses

_PREFERRED = "abcdefghijklmnopqrstuvwxyz0123456789"


def _charset(items):
    neg, chars = False, set()
    for op, av in items:
        if op is RC.NEGATE:
            neg = True
        elif op is RC.LITERAL:
            chars.add(chr(av))
        elif op is RC.RANGE:
            lo, hi = av
            chars.update(chr(c) for c in range(lo, min(hi, lo + 200) + 1))
        elif op is RC.CATEGORY:
            chars.update({RC.CATEGORY_DIGIT: "0123456789", RC.CATEGORY_SPACE: " ", RC.CATEGORY_WORD: _PREFERRED + "_",
                          RC.CATEGORY_NOT_SPACE: _PREFERRED, RC.CATEGORY_NOT_DIGIT: "abc"}.get(av, ""))
    if neg:
        return [c for c in _PREFERRED + "-_" if c not in chars]
    return sorted(chars, key=lambda c: (_PREFERRED.find(c) if c in _PREFERRED else 100 + ord(c)))


def _gen(tree, rng, extra):
    out = []
    for op, av in tree:
        if op is RC.LITERAL:
            out.append(chr(av))
        elif op is RC.NOT_LITERAL:
            out.append("a" if chr(av) != "a" else "b")
        elif op is RC.ANY:
            out.append(rng.choice("abc"))
        elif op is RC.IN:
            cs = _charset(av)
            out.append(cs[0] if rng.random() < 0.3 else rng.choice(cs[: max(1, min(len(cs), 36))]))
        elif op is RC.BRANCH:
            out.append(_gen(rng.choice(av[1]), rng, extra))
        elif op is RC.SUBPATTERN:
            out.append(_gen(av[-1], rng, extra))
        elif op in (RC.MAX_REPEAT, RC.MIN_REPEAT):
            lo, hi, sub = av
            hi = lo + 40 if hi is RC.MAXREPEAT else hi
            n = min(hi, lo + rng.randint(0, extra)) if rng.random() < 0.8 else lo
            out.append("".join(_gen(sub, rng, extra) for _ in range(n)))
        # AT (anchors) and look-arounds produce nothing; candidates are checked against the regex.
    return "".join(out)


def generate_string(pattern, lo, hi, seed):
    """A deterministic string matching `pattern` with lo <= len <= hi, or None."""
    if pattern is None:
        base = "mc-" + seed.lower().replace("#", "-")
        s = (base * (1 + lo // max(1, len(base))))[: max(lo, min(len(base), hi or len(base)))]
        return s
    tree = RP.parse(py_pattern(pattern))
    rng = random.Random(zlib.crc32(seed.encode()))
    for i in range(600):
        s = _gen(tree, rng, 1 + i // 20 + lo)
        if lo <= len(s) and (hi is None or len(s) <= hi) and pattern_ok(pattern, s):
            return s
    return None


# ---------------------------------------------------------------------------------------------------
# Checking a value against a shape (inputs as built, outputs as parsed by boto3 or as raw JSON)

def check_value(value, sid, path, errs, wire):
    """Appends to errs every way `value` does not match shape `sid`. wire=True: raw restJson1 JSON."""
    s = shape(sid)
    kind = s["type"]
    t = traits(s)

    def bad(msg):
        errs.append(f"{path}: {msg}")

    if kind in ("string", "enum"):
        if not isinstance(value, str):
            return bad(f"expected string, got {type(value).__name__}")
        if kind == "enum" and value not in enum_values(s):
            if (short(sid), value) in AWS_ENUM_EXTENSIONS:
                NOTES.add(f"{short(sid)}={value} (outside the model, recorded from AWS)")
                return
            return bad(f"{value!r} is not a value of enum {short(sid)}")
        ln = t.get("smithy.api#length")
        if ln and not (ln.get("min", 0) <= len(value) <= ln.get("max", 1 << 62)):
            bad(f"length {len(value)} outside {ln} ({short(sid)})")
        p = t.get("smithy.api#pattern")
        if p and not pattern_ok(p, value):
            bad(f"{value[:80]!r} does not match the pattern of {short(sid)}")
    elif kind in ("integer", "long", "short", "byte", "intEnum"):
        if isinstance(value, bool) or not isinstance(value, int):
            return bad(f"expected integer, got {type(value).__name__}")
        check_range(value, t, sid, bad)
    elif kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return bad(f"expected number, got {type(value).__name__}")
        check_range(value, t, sid, bad)
    elif kind == "boolean":
        if not isinstance(value, bool):
            bad(f"expected boolean, got {type(value).__name__}")
    elif kind == "timestamp":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) if wire else isinstance(value, datetime.datetime)
        if not ok:
            bad(f"expected timestamp, got {type(value).__name__}")
    elif kind == "blob":
        if wire:
            if not isinstance(value, str):
                return bad(f"expected base64 string, got {type(value).__name__}")
            try:
                base64.b64decode(value, validate=True)
            except Exception:
                bad("not base64")
        elif not isinstance(value, (bytes, bytearray)):
            bad(f"expected bytes, got {type(value).__name__}")
    elif kind == "document":
        pass
    elif kind in ("list", "set"):
        if not isinstance(value, list):
            return bad(f"expected list, got {type(value).__name__}")
        ln = t.get("smithy.api#length")
        if ln and not (ln.get("min", 0) <= len(value) <= ln.get("max", 1 << 62)):
            bad(f"{len(value)} elements, outside {ln} ({short(sid)})")
        for i, v in enumerate(value):
            if v is None:
                if "smithy.api#sparse" not in t:
                    bad(f"[{i}] is null")
                continue
            check_value(v, s["member"]["target"], f"{path}[{i}]", errs, wire)
    elif kind == "map":
        if not isinstance(value, dict):
            return bad(f"expected map, got {type(value).__name__}")
        ln = t.get("smithy.api#length")
        if ln and not (ln.get("min", 0) <= len(value) <= ln.get("max", 1 << 62)):
            bad(f"{len(value)} entries, outside {ln} ({short(sid)})")
        for k, v in value.items():
            check_value(k, s["key"]["target"], f"{path}.<key>", errs, wire)
            if v is not None:
                check_value(v, s["value"]["target"], f"{path}[{k}]", errs, wire)
    elif kind == "structure":
        if not isinstance(value, dict):
            return bad(f"expected structure, got {type(value).__name__}")
        check_members(value, s, path, errs, wire, body_only=False)
    elif kind == "union":
        if not isinstance(value, dict):
            return bad(f"expected union, got {type(value).__name__}")
        present = [k for k, v in value.items() if v is not None]
        if len(present) != 1:
            return bad(f"union {short(sid)} must have exactly one member, has {sorted(present)}")
        k = present[0]
        if k not in s["members"]:
            return bad(f"{k} is not a member of union {short(sid)}")
        check_value(value[k], s["members"][k]["target"], f"{path}.{k}", errs, wire)


# Enum values real AWS answers although the model's enum lacks them (recorded in
# /work/shared/reference/lambda-semantics.md); accepted, and named in the detail.
AWS_ENUM_EXTENSIONS = {
    # "Updates set LastUpdateStatus InProgress (recorded with reason 'The function is being created.'/code Creating)"
    ("LastUpdateStatusReasonCode", "Creating"),
}
NOTES = set()


def check_range(value, t, sid, bad):
    rg = t.get("smithy.api#range")
    if rg and not (float(rg.get("min", "-inf")) <= value <= float(rg.get("max", "inf"))):
        bad(f"{value} outside {rg} ({short(sid)})")


HTTP_BINDINGS = ("smithy.api#httpHeader", "smithy.api#httpResponseCode", "smithy.api#httpPayload",
                 "smithy.api#httpQuery", "smithy.api#httpLabel", "smithy.api#httpPrefixHeaders",
                 "smithy.api#httpQueryParams")


def check_members(value, s, path, errs, wire, body_only):
    members = s["members"]
    for name, m in members.items():
        if body_only and any(b in traits(m) for b in HTTP_BINDINGS):
            continue
        v = value.get(name)
        if v is None:
            if "smithy.api#required" in traits(m):
                errs.append(f"{path}.{name}: required member missing")
            continue
        check_value(v, m["target"], f"{path}.{name}", errs, wire)
    for k in value:
        if k not in members and not (k == "ResponseMetadata" and path == "$"):
            errs.append(f"{path}.{k}: member not defined by the model")
