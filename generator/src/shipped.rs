//! The spec as the generated crate ships it: `openapi.json`, the bundled
//! document as pretty JSON with the provenance first.

use serde::Serialize;

use crate::diag::{Diagnostic, Error};
use crate::provenance::Provenance;

/// The shipped document: the provenance as an `x-generated-by` extension
/// first (JSON has no comments), then the document's own members, as
/// openapiv3 serializes them.
#[derive(Serialize)]
struct Shipped<'a> {
    #[serde(rename = "x-generated-by")]
    generated_by: String,
    #[serde(flatten)]
    spec: &'a openapiv3::OpenAPI,
}

/// The document as the crate's [`crate::SPEC_FILE`].
pub(crate) fn spec_file(
    provenance: &Provenance,
    spec: &openapiv3::OpenAPI,
) -> Result<String, Error> {
    let shipped = Shipped {
        generated_by: provenance.lines().join(" "),
        spec,
    };
    let mut text = serde_json::to_string_pretty(&shipped).map_err(|e| {
        Diagnostic::error(format!(
            "internal error: the spec cannot be written as JSON: {e}"
        ))
    })?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The members of the document in openapiv3's order, after the
    /// header; `paths` with its items before its extensions; unset
    /// members left out.
    #[test]
    fn the_shipped_spec_is_the_document_after_its_header() {
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nx-top: {k: v}\ntags: [{name: t}]\nservers: [{url: 'https://x'}]\npaths:\n  x-p: [1]\n  /a:\n    get:\n      responses: {'204': {description: none}}\n  /b:\n    $ref: '#/x'\ncomponents: {schemas: {A: {type: string}}}\n";
        let doc =
            crate::spec::load_bytes(text.as_bytes(), std::path::Path::new("s.yaml"), "s.yaml")
                .unwrap();
        let provenance = Provenance {
            spec: "s.yaml".to_string(),
            sha256: "ab".repeat(32),
            command: "apigen generate".to_string(),
        };
        let header = provenance.lines().join(" ");
        let expected = format!(
            r##"{{
  "x-generated-by": "{header}",
  "openapi": "3.0.3",
  "info": {{
    "title": "T",
    "version": "1"
  }},
  "servers": [
    {{
      "url": "https://x"
    }}
  ],
  "paths": {{
    "/a": {{
      "get": {{
        "responses": {{
          "204": {{
            "description": "none"
          }}
        }}
      }}
    }},
    "/b": {{
      "$ref": "#/x"
    }},
    "x-p": [
      1
    ]
  }},
  "components": {{
    "schemas": {{
      "A": {{
        "type": "string"
      }}
    }}
  }},
  "tags": [
    {{
      "name": "t"
    }}
  ],
  "x-top": {{
    "k": "v"
  }}
}}
"##
        );
        assert_eq!(spec_file(&provenance, &doc.openapi).unwrap(), expected);
    }
}
