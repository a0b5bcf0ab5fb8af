//! The Smithy 2.0 JSON AST, loaded into shapes the emitters can walk: prelude shapes, mixins
//! flattened, and the closure of shapes a service reaches.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The kinds of shape the generator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Blob,
    Boolean,
    String,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Timestamp,
    Document,
    Enum,
    IntEnum,
    List,
    Map,
    Structure,
    Union,
    Operation,
    Service,
    Resource,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "blob" => Kind::Blob,
            "boolean" => Kind::Boolean,
            "string" => Kind::String,
            "byte" => Kind::Byte,
            "short" => Kind::Short,
            "integer" => Kind::Integer,
            "long" => Kind::Long,
            "float" => Kind::Float,
            "double" => Kind::Double,
            "bigInteger" => Kind::BigInteger,
            "bigDecimal" => Kind::BigDecimal,
            "timestamp" => Kind::Timestamp,
            "document" => Kind::Document,
            "enum" => Kind::Enum,
            "intEnum" => Kind::IntEnum,
            "list" | "set" => Kind::List,
            "map" => Kind::Map,
            "structure" => Kind::Structure,
            "union" => Kind::Union,
            "operation" => Kind::Operation,
            "service" => Kind::Service,
            "resource" => Kind::Resource,
            _ => return None,
        })
    }
}

/// A member of a structure, union, enum, list (`member`) or map (`key`, `value`).
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub target: String,
    pub traits: Map<String, Value>,
}

impl Member {
    pub fn has(&self, t: &str) -> bool {
        self.traits.contains_key(&qualify(t))
    }
    pub fn get(&self, t: &str) -> Option<&Value> {
        self.traits.get(&qualify(t))
    }
}

#[derive(Debug, Clone)]
pub struct Shape {
    pub id: String,
    pub kind: Kind,
    pub members: Vec<Member>,
    pub traits: Map<String, Value>,
    /// The raw JSON of the shape (operation input/output/errors, service operations, ...).
    pub raw: Map<String, Value>,
}

impl Shape {
    pub fn has(&self, t: &str) -> bool {
        self.traits.contains_key(&qualify(t))
    }
    pub fn get(&self, t: &str) -> Option<&Value> {
        self.traits.get(&qualify(t))
    }
    fn target_ref(&self, key: &str) -> Option<String> {
        self.raw
            .get(key)
            .and_then(|v| v.get("target"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }
    pub fn input(&self) -> Option<String> {
        self.target_ref("input").filter(|t| t != "smithy.api#Unit")
    }
    pub fn output(&self) -> Option<String> {
        self.target_ref("output").filter(|t| t != "smithy.api#Unit")
    }
    pub fn errors(&self) -> Vec<String> {
        targets(self.raw.get("errors"))
    }
}

/// `smithy.api#` is implied for trait names without a namespace.
fn qualify(t: &str) -> String {
    if t.contains('#') {
        t.to_string()
    } else {
        format!("smithy.api#{t}")
    }
}

pub fn short(id: &str) -> &str {
    id.rsplit('#').next().unwrap_or(id)
}

fn targets(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("target")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The service that holds operations bound to no service.
/// The names of each shape's `members`, in the order the model's text declares them (a
/// `serde_json::Map` keeps them sorted).
fn declared_member_order(text: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(default)]
        shapes: BTreeMap<String, ShapeMembers>,
    }
    #[derive(serde::Deserialize)]
    struct ShapeMembers {
        #[serde(default)]
        members: Keys,
    }
    #[derive(Default)]
    struct Keys(Vec<String>);
    impl<'de> Deserialize<'de> for Keys {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Keys, D::Error> {
            struct InOrder;
            impl<'de> Visitor<'de> for InOrder {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object of members")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some(k) = a.next_key::<String>()? {
                        a.next_value::<IgnoredAny>()?;
                        keys.push(k);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(InOrder)
        }
    }
    let doc: Doc = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(doc.shapes.into_iter().map(|(id, s)| (id, s.members.0)).collect())
}

pub const SYNTHETIC_SERVICE: &str = "smithy.synthetic#UnboundOperations";

pub struct Model {
    pub shapes: BTreeMap<String, Shape>,
}

const PRELUDE: &[(&str, &str)] = &[
    ("String", "string"),
    ("Blob", "blob"),
    ("BigInteger", "bigInteger"),
    ("BigDecimal", "bigDecimal"),
    ("Timestamp", "timestamp"),
    ("Document", "document"),
    ("Boolean", "boolean"),
    ("PrimitiveBoolean", "boolean"),
    ("Byte", "byte"),
    ("PrimitiveByte", "byte"),
    ("Short", "short"),
    ("PrimitiveShort", "short"),
    ("Integer", "integer"),
    ("PrimitiveInteger", "integer"),
    ("Long", "long"),
    ("PrimitiveLong", "long"),
    ("Float", "float"),
    ("PrimitiveFloat", "float"),
    ("Double", "double"),
    ("PrimitiveDouble", "double"),
    ("Unit", "structure"),
];

impl Model {
    pub fn load(path: &std::path::Path) -> Result<Model, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let raw_shapes = doc.get("shapes").and_then(Value::as_object).ok_or("no shapes")?;
        let declared = declared_member_order(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut shapes = BTreeMap::new();
        for (name, kind) in PRELUDE {
            let id = format!("smithy.api#{name}");
            let mut traits = Map::new();
            if name.starts_with("Primitive") {
                let default = if *kind == "boolean" {
                    Value::Bool(false)
                } else {
                    Value::from(0)
                };
                traits.insert("smithy.api#default".into(), default);
            }
            if *name == "Unit" {
                traits.insert("smithy.api#unitType".into(), Value::Object(Map::new()));
            }
            let kind = Kind::parse(kind).unwrap();
            shapes.insert(
                id.clone(),
                Shape {
                    id,
                    kind,
                    members: vec![],
                    traits,
                    raw: Map::new(),
                },
            );
        }
        for (id, v) in raw_shapes {
            let obj = v.as_object().ok_or_else(|| format!("{id}: not an object"))?;
            let ty = obj.get("type").and_then(Value::as_str).unwrap_or("");
            let Some(kind) = Kind::parse(ty) else { continue };
            let traits = obj
                .get("traits")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let mut members = Vec::new();
            let mut push = |name: &str, m: &Value| {
                members.push(Member {
                    name: name.to_string(),
                    target: m
                        .get("target")
                        .and_then(Value::as_str)
                        .unwrap_or("smithy.api#Unit")
                        .to_string(),
                    traits: m.get("traits").and_then(Value::as_object).cloned().unwrap_or_default(),
                })
            };
            match kind {
                Kind::List => push("member", obj.get("member").ok_or_else(|| format!("{id}: no member"))?),
                Kind::Map => {
                    push("key", obj.get("key").ok_or_else(|| format!("{id}: no key"))?);
                    push("value", obj.get("value").ok_or_else(|| format!("{id}: no value"))?);
                }
                _ => {
                    if let Some(ms) = obj.get("members").and_then(Value::as_object) {
                        for (n, m) in ms {
                            push(n, m);
                        }
                    }
                }
            }
            // `serde_json`'s maps sort their keys; an enum's values keep the order the model declares
            // them in (AWS lists them in that order).
            if kind == Kind::Enum {
                if let Some(order) = declared.get(id) {
                    members.sort_by_key(|m| order.iter().position(|n| *n == m.name));
                }
            }
            let mut kind = kind;
            // Smithy 1.0 style enums: a string with the `enum` trait.
            if kind == Kind::String && traits.contains_key("smithy.api#enum") {
                kind = Kind::Enum;
                let list = traits["smithy.api#enum"].as_array().cloned().unwrap_or_default();
                for (i, e) in list.iter().enumerate() {
                    let value = e.get("value").and_then(Value::as_str).unwrap_or("").to_string();
                    let name = e
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("V{i}_{value}"));
                    let mut t = Map::new();
                    t.insert("smithy.api#enumValue".into(), Value::String(value));
                    if e.get("tags")
                        .and_then(Value::as_array)
                        .is_some_and(|t| t.iter().any(|x| x == "internal"))
                    {
                        t.insert("smithy.api#internal".into(), Value::Object(Map::new()));
                    }
                    members.push(Member {
                        name,
                        target: "smithy.api#Unit".into(),
                        traits: t,
                    });
                }
            }
            shapes.insert(
                id.clone(),
                Shape {
                    id: id.clone(),
                    kind,
                    members,
                    traits,
                    raw: obj.clone(),
                },
            );
        }
        let mut model = Model { shapes };
        model.flatten_mixins()?;
        model.default_enum_values();
        model.bind_orphan_operations();
        Ok(model)
    }

    /// Copies the members (and non-local traits) of mixins into the shapes that use them.
    fn flatten_mixins(&mut self) -> Result<(), String> {
        let ids: Vec<String> = self.shapes.keys().cloned().collect();
        let mut done = BTreeSet::new();
        for id in ids {
            self.flatten_one(&id, &mut done, 0)?;
        }
        Ok(())
    }

    fn flatten_one(&mut self, id: &str, done: &mut BTreeSet<String>, depth: usize) -> Result<(), String> {
        if done.contains(id) || depth > 32 {
            return Ok(());
        }
        let mixins = targets(self.shapes[id].raw.get("mixins"));
        let mut members = Vec::new();
        let mut traits = Map::new();
        for mx in &mixins {
            self.flatten_one(mx, done, depth + 1)?;
            let m = self.shapes.get(mx).ok_or_else(|| format!("{id}: unknown mixin {mx}"))?;
            members.extend(m.members.iter().cloned());
            for (k, v) in &m.traits {
                if k != "smithy.api#mixin" {
                    traits.insert(k.clone(), v.clone());
                }
            }
        }
        let shape = self.shapes.get_mut(id).unwrap();
        if !mixins.is_empty() {
            for own in std::mem::take(&mut shape.members) {
                if let Some(m) = members.iter_mut().find(|m: &&mut Member| m.name == own.name) {
                    m.traits.extend(own.traits);
                } else {
                    members.push(own);
                }
            }
            shape.members = members;
            for (k, v) in std::mem::take(&mut shape.traits) {
                traits.insert(k, v);
            }
            shape.traits = traits;
        }
        done.insert(id.to_string());
        Ok(())
    }

    /// Operations no service binds (the protocol suite has some) are gathered into a synthetic
    /// service, `smithy.synthetic#UnboundOperations`, so that they can be generated too.
    fn bind_orphan_operations(&mut self) {
        let services: Vec<String> = self
            .shapes
            .values()
            .filter(|s| s.kind == Kind::Service)
            .map(|s| s.id.clone())
            .collect();
        let bound: BTreeSet<String> = services.iter().flat_map(|s| self.operations(s)).collect();
        let orphans: Vec<Value> = self
            .shapes
            .values()
            .filter(|s| s.kind == Kind::Operation && !bound.contains(&s.id))
            .map(|s| serde_json::json!({ "target": s.id }))
            .collect();
        if orphans.is_empty() {
            return;
        }
        let id = SYNTHETIC_SERVICE.to_string();
        let mut raw = Map::new();
        raw.insert("type".into(), Value::String("service".into()));
        raw.insert("operations".into(), Value::Array(orphans));
        self.shapes.insert(
            id.clone(),
            Shape {
                id,
                kind: Kind::Service,
                members: vec![],
                traits: Map::new(),
                raw,
            },
        );
    }

    /// Enum members without `enumValue` take their member name as value.
    fn default_enum_values(&mut self) {
        for s in self.shapes.values_mut() {
            if s.kind == Kind::Enum {
                for m in &mut s.members {
                    if !m.traits.contains_key("smithy.api#enumValue") {
                        m.traits
                            .insert("smithy.api#enumValue".into(), Value::String(m.name.clone()));
                    }
                }
            }
        }
    }

    pub fn shape(&self, id: &str) -> &Shape {
        self.shapes.get(id).unwrap_or_else(|| panic!("unknown shape {id}"))
    }

    /// The operations of a service, directly and through its resources, in model order.
    pub fn operations(&self, service: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        self.collect_ops(service, &mut out, &mut seen);
        out.sort_by(|a, b| short(a).cmp(short(b)));
        out
    }

    fn collect_ops(&self, id: &str, out: &mut Vec<String>, seen: &mut BTreeSet<String>) {
        if !seen.insert(id.to_string()) {
            return;
        }
        let s = self.shape(id);
        let mut ops = targets(s.raw.get("operations"));
        ops.extend(targets(s.raw.get("collectionOperations")));
        for k in ["create", "put", "read", "update", "delete", "list"] {
            if let Some(t) = s.target_ref(k) {
                ops.push(t);
            }
        }
        for op in ops {
            if seen.insert(op.clone()) {
                out.push(op);
            }
        }
        for r in targets(s.raw.get("resources")) {
            self.collect_ops(&r, out, seen);
        }
    }

    /// Every shape reachable from the service's operations (inputs, outputs, errors, members).
    pub fn closure(&self, service: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = Vec::new();
        for op in self.operations(service) {
            let s = self.shape(&op);
            stack.extend(s.input());
            stack.extend(s.output());
            stack.extend(s.errors());
        }
        stack.extend(targets(self.shape(service).raw.get("errors")));
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            for m in &self.shape(&id).members {
                if !seen.contains(&m.target) {
                    stack.push(m.target.clone());
                }
            }
        }
        seen
    }

    /// Service-wide `rename` map: shape id -> new name.
    pub fn renames(&self, service: &str) -> BTreeMap<String, String> {
        self.shape(service)
            .raw
            .get("rename")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Errors of an operation, including the service-wide ones.
    pub fn operation_errors(&self, service: &str, op: &str) -> Vec<String> {
        let mut errs = self.shape(op).errors();
        for e in targets(self.shape(service).raw.get("errors")) {
            if !errs.contains(&e) {
                errs.push(e);
            }
        }
        errs
    }
}
