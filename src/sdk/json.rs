//! Parsing JSON arguments. Every structured argument must be a JSON *object*: serde would
//! otherwise fill a struct from an array by position (`[1000]` as `timeout_ms`), silently.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::{Error, ErrorKind, Result};
use super::wire::StringMap;

/// Parses `text` as a JSON object; `what` names the argument in errors.
pub fn object(text: &str, what: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(text).map_err(|e| Error::from(e).context(what))? {
        Value::Object(map) => Ok(map),
        _ => Err(Error::new(
            ErrorKind::Json,
            format!("{what} must be a JSON object"),
        )),
    }
}

/// Parses a JSON object into `T`.
pub fn from_object<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_value(Value::Object(object(text, what)?))
        .map_err(|e| Error::from(e).context(what))
}

/// A JSON object whose values are all strings, as a sorted string map.
pub fn string_map(map: &Map<String, Value>, what: &str) -> Result<StringMap> {
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            _ => Err(Error::new(
                ErrorKind::Json,
                format!("{what} field '{k}' must be a string"),
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default, Debug)]
    #[serde(default)]
    struct Options {
        #[allow(dead_code)]
        n: u32,
    }

    #[test]
    fn arrays_are_not_objects() {
        assert_eq!(
            from_object::<Options>("[1]", "options").unwrap_err().kind(),
            ErrorKind::Json
        );
        assert!(from_object::<Options>("{\"n\":1}", "options").is_ok());
        assert_eq!(object("\"s\"", "x").unwrap_err().kind(), ErrorKind::Json);
    }
}
