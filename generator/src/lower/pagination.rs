//! Pagination: which operations page their answers, and how.
//!
//! An operation says so with the `x-apigen-pagination` extension; a spec
//! that is not edited by hand gets the same extension from the
//! `[pagination]` table of `spec/apigen.toml` before it is lowered, so the
//! shipped spec, the model and `apigen diff` see one declaration. Fields are
//! named by their wire names, dotted for nested objects:
//!
//! ```yaml
//! x-apigen-pagination:
//!   items: data.notes      # the array of the page's items; absent: the body is the array
//!   offset: offset         # or `page: page`, or `cursor: after` with `next-cursor`, or `next-url`
//!   limit: limit           # the page-size parameter, if any
//! ```
//!
//! A declaration that does not fit the operation is a warning, and the
//! operation is generated without `into_stream`.

use serde::Deserialize;

use super::Lowerer;
use crate::diag::join;
use crate::model::*;

/// The extension that declares an operation's pagination.
pub const EXTENSION: &str = "x-apigen-pagination";

/// The declaration, as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Declaration {
    /// Dotted wire path of the items array in the 2xx body.
    #[serde(default)]
    pub items: Option<String>,
    /// The query parameter that counts the items to skip.
    #[serde(default)]
    pub offset: Option<String>,
    /// The query parameter that numbers the pages.
    #[serde(default)]
    pub page: Option<String>,
    /// The query parameter that sets the page size.
    #[serde(default)]
    pub limit: Option<String>,
    /// The query parameter that carries the cursor.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Dotted wire path of the next cursor in the body.
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// Dotted wire path of the next page's URL in the body.
    #[serde(default)]
    pub next_url: Option<String>,
}

impl Lowerer<'_> {
    /// Gives each operation that declares pagination its [`Pagination`],
    /// once every type is lowered; a declaration that does not fit is
    /// warned about and left out.
    pub(super) fn paginations(&mut self, operations: &mut [Operation]) {
        for (origin, value) in std::mem::take(&mut self.paginated) {
            let Some(op) = operations.iter_mut().find(|op| op.origin == origin) else {
                continue;
            };
            let pointer = join(&origin, EXTENSION);
            let resolved = serde_json::from_value::<Declaration>(value)
                .map_err(|e| format!("the pagination cannot be read: {e}"))
                .and_then(|declaration| self.pagination(op, &declaration));
            match resolved {
                Ok(pagination) => op.pagination = Some(pagination),
                Err(problem) => self.warn_help(
                    &pointer,
                    format!("{problem}; the operation is generated without `into_stream`"),
                    "see \"Pagination\" in apigen's README for what the extension holds",
                ),
            }
        }
    }

    fn pagination(&self, op: &Operation, declaration: &Declaration) -> Result<Pagination, String> {
        let body = match &op.success {
            Success::One(Payload {
                kind: MediaKind::Json,
                ty,
            }) => ty.clone(),
            _ => {
                return Err("a paginated operation needs one JSON body for its 2xx answers".into())
            }
        };
        let path = declaration.items.as_deref().unwrap_or("");
        let (items, items_ty) = self.field_path(&body, path)?;
        let TypeRef::Vec(item) = items_ty else {
            return Err(match declaration.items {
                Some(_) => format!("`items: {path}` is not an array"),
                None => "the body is not an array; say where its items are with `items`".into(),
            });
        };
        let query = |name: &Option<String>| -> Result<Option<String>, String> {
            match name {
                None => Ok(None),
                Some(name) => op
                    .params
                    .iter()
                    .any(|p| p.location == ParamLocation::Query && &p.wire_name == name)
                    .then(|| Some(name.clone()))
                    .ok_or_else(|| format!("the operation has no query parameter `{name}`")),
            }
        };
        let limit = query(&declaration.limit)?;
        let style = match declaration {
            Declaration {
                offset: Some(_),
                page: None,
                cursor: None,
                next_cursor: None,
                next_url: None,
                ..
            } => PageStyle::Offset {
                param: query(&declaration.offset)?.unwrap_or_default(),
                limit,
            },
            Declaration {
                offset: None,
                page: Some(_),
                cursor: None,
                next_cursor: None,
                next_url: None,
                ..
            } => PageStyle::Page {
                param: query(&declaration.page)?.unwrap_or_default(),
                limit,
            },
            Declaration {
                offset: None,
                page: None,
                cursor: Some(_),
                next_cursor: Some(next),
                next_url: None,
                ..
            } => PageStyle::Cursor {
                param: query(&declaration.cursor)?.unwrap_or_default(),
                next: self.scalar_path(&body, next)?,
            },
            Declaration {
                offset: None,
                page: None,
                cursor: None,
                next_cursor: None,
                next_url: Some(next),
                ..
            } => PageStyle::NextUrl {
                next: self.scalar_path(&body, next)?,
            },
            _ => {
                return Err(
                    "give one of `offset`, `page`, `cursor` with `next-cursor`, or `next-url`"
                        .into(),
                )
            }
        };
        Ok(Pagination {
            style,
            items,
            item: *item,
        })
    }

    /// The steps of a dotted wire path that ends at a string or integer.
    fn scalar_path(&self, body: &TypeRef, path: &str) -> Result<Vec<FieldStep>, String> {
        let (steps, ty) = self.field_path(body, path)?;
        match ty {
            TypeRef::String | TypeRef::I32 | TypeRef::I64 if !steps.is_empty() => Ok(steps),
            _ => Err(format!("`{path}` is not a string or integer field")),
        }
    }

    /// Follows a dotted wire path from `ty` through object fields, to the
    /// steps taken and the type reached.
    fn field_path(&self, ty: &TypeRef, path: &str) -> Result<(Vec<FieldStep>, TypeRef), String> {
        let mut ty = ty.clone();
        let mut steps = Vec::new();
        for wire in path.split('.').filter(|part| !part.is_empty()) {
            let fields = self
                .struct_fields(&ty)
                .ok_or_else(|| format!("`{path}`: the value before `{wire}` is not an object"))?;
            let field = fields
                .iter()
                .find(|f| f.wire_name == wire && !f.flatten)
                .ok_or_else(|| format!("`{path}`: there is no field `{wire}`"))?;
            steps.push(FieldStep {
                field: field.name.clone(),
                optional: !field.is_mandatory(),
                nullable: field.null_setter.is_some(),
            });
            ty = field.ty.clone();
        }
        Ok((steps, ty))
    }

    /// The fields of the struct `ty` names, through aliases and boxes.
    fn struct_fields(&self, ty: &TypeRef) -> Option<&[Field]> {
        let mut ty = ty;
        for _ in 0..super::MAX_REF_DEPTH {
            match ty {
                TypeRef::Boxed(inner) => ty = inner,
                TypeRef::Named(id) => match &self.types.get(id)?.kind {
                    TypeKind::Struct(s) => return Some(&s.fields),
                    TypeKind::Alias(inner) => ty = inner,
                    _ => return None,
                },
                _ => return None,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lowered, HEADER};
    use crate::model::*;

    fn spec(extension: &str) -> String {
        format!(
            "{}paths:\n  /notes:\n    get:\n      operationId: listNotes\n      parameters:\n        - {{name: offset, in: query, schema: {{type: integer}}}}\n        - {{name: limit, in: query, schema: {{type: integer}}}}\n        - {{name: after, in: query, schema: {{type: string}}}}\n      x-apigen-pagination: {extension}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  notes: {{type: array, items: {{type: string}}}}\n                  meta:\n                    type: object\n                    required: [next]\n                    properties:\n                      next: {{type: string}}\n",
            HEADER
        )
    }

    #[test]
    fn an_offset_declaration_is_resolved_to_fields_and_parameters() {
        let (api, _) = lowered(&spec("{items: notes, offset: offset, limit: limit}"));
        let pagination = api.operations[0].pagination.clone().expect("paginated");
        assert_eq!(
            pagination.style,
            PageStyle::Offset {
                param: "offset".into(),
                limit: Some("limit".into())
            }
        );
        assert_eq!(
            pagination.items,
            [FieldStep {
                field: "notes".into(),
                optional: true,
                nullable: false
            }]
        );
        assert_eq!(pagination.item, TypeRef::String);
    }

    #[test]
    fn a_cursor_is_read_through_nested_fields() {
        let (api, _) = lowered(&spec(
            "{items: notes, cursor: after, next-cursor: meta.next}",
        ));
        let Some(Pagination {
            style: PageStyle::Cursor { param, next },
            ..
        }) = api.operations[0].pagination.clone()
        else {
            panic!("a cursor pagination");
        };
        assert_eq!(param, "after");
        let fields: Vec<(&str, bool)> = next
            .iter()
            .map(|s| (s.field.as_str(), s.optional))
            .collect();
        assert_eq!(fields, [("meta", true), ("next", false)]);
    }

    #[test]
    fn a_declaration_that_does_not_fit_is_a_warning_and_no_pagination() {
        for (extension, problem) in [
            ("{items: notes, offset: skip}", "no query parameter `skip`"),
            (
                "{items: meta, offset: offset}",
                "`items: meta` is not an array",
            ),
            ("{offset: offset}", "the body is not an array"),
            ("{items: notes.x, offset: offset}", "is not an object"),
            (
                "{items: notes, offset: offset, page: offset}",
                "give one of",
            ),
            ("{items: notes, cursor: after}", "give one of"),
            (
                "{items: notes, offset: offset, sort: x}",
                "unknown field `sort`",
            ),
        ] {
            let (api, warnings) = lowered(&spec(extension));
            assert_eq!(api.operations[0].pagination, None, "{extension}");
            assert!(
                warnings.iter().any(|w| w.message.contains(problem)
                    && w.pointer.as_deref() == Some("#/paths/~1notes/get/x-apigen-pagination")),
                "{extension}: {warnings:?}"
            );
        }
    }
}
