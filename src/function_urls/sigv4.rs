//! AWS Signature Version 4 of a request to an `AWS_IAM` function URL: the `Authorization`
//! header must be a well-formed signature for service `lambda`; when `--iam-credentials` names the
//! signer's access key, the signature is computed again from the request and the secret and must
//! match (else any access key is accepted, as a local emulator has no IAM to ask).

use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The access keys whose signatures are verified: `KEY:SECRET[,…]` (`--iam-credentials`).
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    secrets: HashMap<String, String>,
}

impl Credentials {
    /// Parses `KEY:SECRET[,KEY:SECRET…]`.
    pub fn parse(s: &str) -> Result<Credentials, String> {
        let mut secrets = HashMap::new();
        for pair in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = pair
                .split_once(':')
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .ok_or_else(|| format!("`{pair}` is not KEY:SECRET"))?;
            secrets.insert(k.to_string(), v.to_string());
        }
        Ok(Credentials { secrets })
    }
}

/// Who signed a request.
#[derive(Debug)]
pub struct Caller {
    pub access_key: String,
}

impl Caller {
    /// `requestContext.authorizer` (its `iam` member) for a caller of `account`.
    pub fn authorizer(&self, account: &str) -> serde_json::Value {
        serde_json::json!({"iam": {
            "accessKey": self.access_key,
            "accountId": account,
            "callerId": self.access_key,
            "cognitoIdentity": null,
            "principalOrgId": null,
            "userArn": format!("arn:aws:iam::{account}:user/{}", self.access_key),
            "userId": self.access_key,
        }})
    }
}

/// Checks the request's signature (see the module doc); the caller, or why not.
pub fn check(parts: &http::request::Parts, body: &[u8], credentials: &Credentials) -> Result<Caller, String> {
    let auth = header(parts, "authorization").ok_or("no Authorization header")?;
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or("not an AWS4-HMAC-SHA256 signature")?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for field in rest.split(',').map(str::trim) {
        match field.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let (credential, signed_headers, signature) = match (credential, signed_headers, signature) {
        (Some(c), Some(h), Some(s)) => (c, h, s),
        _ => return Err("the Authorization header lacks Credential, SignedHeaders or Signature".into()),
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key, date, region, service, terminator] = scope[..] else {
        return Err(format!("malformed credential scope `{credential}`"));
    };
    if service != "lambda" || terminator != "aws4_request" || access_key.is_empty() {
        return Err(format!("the credential scope `{credential}` is not for lambda"));
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the signature is not 64 hex digits".into());
    }
    let amz_date = header(parts, "x-amz-date").ok_or("no X-Amz-Date header")?;
    if !amz_date.starts_with(date) {
        return Err("X-Amz-Date does not match the credential scope".into());
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    if !names.contains(&"host") {
        return Err("the host header is not signed".into());
    }
    let caller = Caller {
        access_key: access_key.to_string(),
    };
    let Some(secret) = credentials.secrets.get(access_key) else {
        if credentials.secrets.is_empty() {
            return Ok(caller);
        }
        return Err(format!("unknown access key {access_key}"));
    };
    let canonical = canonical_request(parts, body, &names)?;
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    for part in [region, service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let expected = hex(&hmac(&key, to_sign.as_bytes()));
    if expected.eq_ignore_ascii_case(signature) {
        Ok(caller)
    } else {
        Err("the signature does not match".into())
    }
}

fn header<'a>(parts: &'a http::request::Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The canonical request of SigV4 (a service other than S3: the path encoded once more).
fn canonical_request(parts: &http::request::Parts, body: &[u8], names: &[&str]) -> Result<String, String> {
    let path = parts.uri.path();
    let path = if path.is_empty() { "/" } else { path };
    let mut query: Vec<(String, String)> = parts
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                encode(&super::event::percent_decode(k), false),
                encode(&super::event::percent_decode(v), false),
            )
        })
        .collect();
    query.sort();
    let query: Vec<String> = query.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut headers = String::new();
    for name in names {
        let values: Vec<String> = parts
            .headers
            .get_all(*name)
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        if values.is_empty() {
            return Err(format!("the signed header {name} is missing"));
        }
        headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let payload_hash = header(parts, "x-amz-content-sha256")
        .map(str::to_owned)
        .unwrap_or_else(|| hex(&Sha256::digest(body)));
    Ok(format!(
        "{}\n{}\n{}\n{headers}\n{}\n{payload_hash}",
        parts.method,
        encode(path, true),
        query.join("&"),
        names.join(";")
    ))
}

/// URI encoding of SigV4: unreserved characters kept (and `/` when `keep_slash`), the rest `%XX`.
fn encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// HMAC-SHA256 (RFC 2104).
fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 64;
    let mut k = if key.len() > BLOCK {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(BLOCK, 0);
    let inner: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let mut h = Sha256::new();
    h.update(&inner);
    h.update(data);
    let inner_hash = h.finalize();
    let mut h = Sha256::new();
    h.update(&outer);
    h.update(inner_hash);
    h.finalize().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2.
        assert_eq!(
            hex(&hmac(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn credentials_parse() {
        let c = Credentials::parse("AKID:secret, K2:s2").unwrap();
        assert_eq!(c.secrets.get("K2").map(String::as_str), Some("s2"));
        assert!(Credentials::parse("nosecret").is_err());
    }
}
