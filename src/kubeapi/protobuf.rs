//! The Kubernetes protobuf encoding, for the bodies kubectl posts as
//! `application/vnd.kubernetes.protobuf` (`kubectl create deployment`,
//! `create namespace`, `create configmap`, `create secret generic`, `auth
//! can-i`): the `k8s\0` envelope around a `runtime.Unknown`, decoded into the
//! JSON the rest of the host works on. Only the fields those commands write
//! are mapped; a body of another kind is refused with 415 as the API server
//! refuses an encoding it cannot read.

use serde_json::{Map, Value, json};

/// One field of a protobuf message: its number and raw value.
enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

fn varint(bytes: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*pos).ok_or("truncated varint")?;
        *pos += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint too long".into())
}

fn fields(bytes: &[u8]) -> Result<Vec<(u64, Wire<'_>)>, String> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let tag = varint(bytes, &mut pos)?;
        let (number, wire_type) = (tag >> 3, tag & 7);
        let value = match wire_type {
            0 => Wire::Varint(varint(bytes, &mut pos)?),
            1 => {
                pos += 8;
                Wire::Fixed
            }
            2 => {
                let len = varint(bytes, &mut pos)? as usize;
                let end = pos.checked_add(len).filter(|e| *e <= bytes.len()).ok_or("truncated field")?;
                let v = Wire::Bytes(&bytes[pos..end]);
                pos = end;
                v
            }
            5 => {
                pos += 4;
                Wire::Fixed
            }
            other => return Err(format!("unsupported wire type {other}")),
        };
        out.push((number, value));
    }
    Ok(out)
}

fn text(b: &[u8]) -> Result<String, String> {
    String::from_utf8(b.to_vec()).map_err(|_| "a string field is not UTF-8".to_string())
}

/// A message as (field number, raw value) pairs, with helpers for the field kinds used.
struct Message<'a>(Vec<(u64, Wire<'a>)>);

impl<'a> Message<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Self, String> {
        fields(bytes).map(Message)
    }

    fn bytes(&self, n: u64) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.0.iter().filter(move |(f, _)| *f == n).filter_map(|(_, w)| if let Wire::Bytes(b) = w { Some(*b) } else { None })
    }

    fn string(&self, n: u64) -> Result<Option<String>, String> {
        self.bytes(n).last().map(text).transpose()
    }

    fn strings(&self, n: u64) -> Result<Vec<String>, String> {
        self.bytes(n).map(text).collect()
    }

    fn int(&self, n: u64) -> Option<i64> {
        self.0.iter().filter(|(f, _)| *f == n).find_map(|(_, w)| if let Wire::Varint(v) = w { Some(*v as i64) } else { None })
    }

    fn message(&self, n: u64) -> Result<Option<Message<'a>>, String> {
        self.bytes(n).last().map(Message::parse).transpose()
    }

    fn string_map(&self, n: u64) -> Result<Map<String, Value>, String> {
        let mut out = Map::new();
        for entry in self.bytes(n) {
            let e = Message::parse(entry)?;
            out.insert(e.string(1)?.unwrap_or_default(), json!(e.string(2)?.unwrap_or_default()));
        }
        Ok(out)
    }

    fn bytes_map(&self, n: u64) -> Result<Map<String, Value>, String> {
        let mut out = Map::new();
        for entry in self.bytes(n) {
            let e = Message::parse(entry)?;
            let value = e.bytes(2).last().unwrap_or_default();
            out.insert(e.string(1)?.unwrap_or_default(), json!(simulator::base64_text::encode(value)));
        }
        Ok(out)
    }
}

fn insert_nonempty(map: &mut Map<String, Value>, key: &str, value: Value) {
    let empty = match &value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    if !empty {
        map.insert(key.into(), value);
    }
}

fn object_meta(m: Option<Message>) -> Result<Value, String> {
    let mut out = Map::new();
    if let Some(m) = m {
        insert_nonempty(&mut out, "name", json!(m.string(1)?));
        insert_nonempty(&mut out, "generateName", json!(m.string(2)?));
        insert_nonempty(&mut out, "namespace", json!(m.string(3)?));
        insert_nonempty(&mut out, "labels", Value::Object(m.string_map(11)?));
        insert_nonempty(&mut out, "annotations", Value::Object(m.string_map(12)?));
        insert_nonempty(&mut out, "finalizers", json!(m.strings(14)?));
    }
    Ok(Value::Object(out))
}

fn label_selector(m: Message) -> Result<Value, String> {
    let mut out = Map::new();
    insert_nonempty(&mut out, "matchLabels", Value::Object(m.string_map(1)?));
    Ok(Value::Object(out))
}

fn container(m: Message) -> Result<Value, String> {
    let mut out = Map::new();
    insert_nonempty(&mut out, "name", json!(m.string(1)?));
    insert_nonempty(&mut out, "image", json!(m.string(2)?));
    insert_nonempty(&mut out, "command", json!(m.strings(3)?));
    insert_nonempty(&mut out, "args", json!(m.strings(4)?));
    let mut ports = Vec::new();
    for p in m.bytes(6) {
        let p = Message::parse(p)?;
        let mut port = Map::new();
        insert_nonempty(&mut port, "name", json!(p.string(1)?));
        if let Some(n) = p.int(3) {
            port.insert("containerPort".into(), json!(n));
        }
        insert_nonempty(&mut port, "protocol", json!(p.string(4)?));
        ports.push(Value::Object(port));
    }
    insert_nonempty(&mut out, "ports", Value::Array(ports));
    let mut env = Vec::new();
    for e in m.bytes(7) {
        let e = Message::parse(e)?;
        env.push(json!({"name": e.string(1)?.unwrap_or_default(), "value": e.string(2)?.unwrap_or_default()}));
    }
    insert_nonempty(&mut out, "env", Value::Array(env));
    out.insert("resources".into(), json!({}));
    insert_nonempty(&mut out, "imagePullPolicy", json!(m.string(14)?));
    Ok(Value::Object(out))
}

fn pod_spec(m: Message) -> Result<Value, String> {
    let containers: Vec<Value> = m.bytes(2).map(|c| Message::parse(c).and_then(container)).collect::<Result<_, _>>()?;
    let mut out = Map::new();
    out.insert("containers".into(), Value::Array(containers));
    insert_nonempty(&mut out, "restartPolicy", json!(m.string(3)?));
    Ok(Value::Object(out))
}

fn deployment_spec(m: Message) -> Result<Value, String> {
    let mut out = Map::new();
    if let Some(r) = m.int(1) {
        out.insert("replicas".into(), json!(r));
    }
    if let Some(s) = m.message(2)? {
        out.insert("selector".into(), label_selector(s)?);
    }
    if let Some(t) = m.message(3)? {
        let mut template = Map::new();
        template.insert("metadata".into(), object_meta(t.message(1)?)?);
        template.insert("spec".into(), t.message(2)?.map(pod_spec).transpose()?.unwrap_or(json!({})));
        out.insert("template".into(), Value::Object(template));
    }
    out.insert("strategy".into(), json!({}));
    Ok(Value::Object(out))
}

/// Decodes a protobuf request body into its JSON object; the error says why it cannot be read.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let raw = body.strip_prefix(b"k8s\0").ok_or("the body lacks the protobuf envelope's magic number")?;
    let unknown = Message::parse(raw)?;
    let type_meta = unknown.message(1)?.ok_or("the envelope has no type")?;
    let api_version = type_meta.string(1)?.unwrap_or_default();
    let kind = type_meta.string(2)?.unwrap_or_default();
    let payload = unknown.bytes(2).last().unwrap_or_default();
    let m = Message::parse(payload)?;
    let metadata = object_meta(m.message(1)?)?;
    let mut obj = json!({"kind": kind, "apiVersion": api_version, "metadata": metadata});
    match (api_version.as_str(), kind.as_str()) {
        ("v1", "Namespace") => obj["spec"] = json!({}),
        ("v1", "ConfigMap") => {
            let map = obj.as_object_mut().expect("built as an object");
            insert_nonempty(map, "data", Value::Object(m.string_map(2)?));
            insert_nonempty(map, "binaryData", Value::Object(m.bytes_map(3)?));
        }
        ("v1", "Secret") => {
            let map = obj.as_object_mut().expect("built as an object");
            insert_nonempty(map, "data", Value::Object(m.bytes_map(2)?));
            insert_nonempty(map, "type", json!(m.string(3)?));
        }
        ("apps/v1", "Deployment") => obj["spec"] = m.message(2)?.map(deployment_spec).transpose()?.unwrap_or(json!({})),
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview") => {
            let mut spec = Map::new();
            if let Some(s) = m.message(1 + 1)? {
                if let Some(r) = s.message(1)? {
                    let mut attrs = Map::new();
                    for (n, key) in [(1, "namespace"), (2, "verb"), (3, "group"), (4, "version"), (5, "resource"), (6, "subresource"), (7, "name")] {
                        insert_nonempty(&mut attrs, key, json!(r.string(n)?));
                    }
                    spec.insert("resourceAttributes".into(), Value::Object(attrs));
                }
                if let Some(r) = s.message(2)? {
                    spec.insert("nonResourceAttributes".into(), json!({"path": r.string(1)?, "verb": r.string(2)?}));
                }
            }
            obj["spec"] = Value::Object(spec);
        }
        _ => return Err(format!("the server cannot decode {kind} ({api_version}) from protobuf; send it as JSON")),
    }
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(n: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![((n << 3) | 2) as u8, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn decodes_a_namespace_in_its_envelope() {
        let type_meta = [field(1, b"v1"), field(2, b"Namespace")].concat();
        let meta = field(1, b"team-a");
        let ns = field(1, &meta);
        let unknown = [field(1, &type_meta), field(2, &ns)].concat();
        let body = [b"k8s\0".to_vec(), unknown].concat();
        let obj = decode(&body).unwrap();
        assert_eq!(obj["kind"], "Namespace");
        assert_eq!(obj["metadata"]["name"], "team-a");
        assert!(decode(b"nope").is_err());
    }
}
