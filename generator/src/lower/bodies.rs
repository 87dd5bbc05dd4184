//! Request bodies and responses: the media type apigen encodes or decodes
//! (JSON first), the Rust type of its schema, and the examples of JSON
//! media types. Success responses become the operation's result (one type,
//! or an enum by status when they differ); 4XX and 5XX responses with JSON
//! bodies become the variants of its error type.

use std::collections::BTreeSet;

use openapiv3 as oa;

use super::naming;
use super::operations::OperationSite;
use super::Lowerer;
use crate::diag::join;
use crate::model::*;

impl<'a> Lowerer<'a> {
    /// The operation's request body, if it has one apigen can send.
    pub(super) fn request_body(&mut self, site: &OperationSite<'a>) -> Option<RequestBody> {
        let body = site.op.request_body.as_ref()?;
        let (pointer, body) =
            self.resolve_request_body(body, &join(&site.pointer, "requestBody"))?;
        let Some((mut content_type, kind, media)) = body_media(&body.content) else {
            self.error(
                &pointer,
                "the request body has no media type under `content`",
            );
            return None;
        };
        let media_pointer = join(&join(&pointer, "content"), &content_type);
        // Text and binary bodies send the spec's media type as it is
        // written; the other kinds send their own.
        let fallback = match kind {
            BodyKind::Text => Some("text/plain"),
            BodyKind::Bytes => Some("application/octet-stream"),
            _ => None,
        };
        if let Some(fallback) =
            fallback.filter(|_| !super::parameters::is_header_value(&content_type))
        {
            self.warn(
                &media_pointer,
                format!("the media type {content_type:?} cannot be sent in a `Content-Type` header; `{fallback}` is sent instead"),
            );
            content_type = fallback.to_string();
        }
        let hint = format!("{} Request", site.type_base);
        let ty = match (kind, &media.schema) {
            (BodyKind::Bytes, _) => TypeRef::Bytes,
            (BodyKind::Text, _) => TypeRef::String,
            (_, Some(schema)) => {
                self.binary_as_bytes = kind == BodyKind::Multipart;
                let ty = self.type_ref(schema, &join(&media_pointer, "schema"), &hint);
                self.binary_as_bytes = false;
                ty
            }
            (_, None) => TypeRef::Json,
        };
        let (kind, ty) = self.form_fallback(kind, ty, &content_type, &media_pointer);
        if kind == BodyKind::Json {
            let label = format!("{} request", site.name);
            self.media_examples(media, &media_pointer, &label, &ty);
        }
        Some(RequestBody {
            ty,
            required: body.required,
            content_type,
            kind,
            docs: body.description.clone(),
        })
    }

    /// A form body the client can encode from its type: an object with
    /// properties, or (URL-encoded) a map of text values. Any other schema
    /// is a warning and a fallback that keeps the operation: a URL-encoded
    /// body becomes a map of strings, a multipart body a form the app
    /// builds part by part.
    fn form_fallback(
        &mut self,
        kind: BodyKind,
        ty: TypeRef,
        content_type: &str,
        pointer: &str,
    ) -> (BodyKind, TypeRef) {
        let fits = match kind {
            BodyKind::Form => {
                self.is_struct(&ty)
                    || matches!(&ty, TypeRef::Map(value) if **value == TypeRef::String)
            }
            BodyKind::Multipart => self.is_struct(&ty),
            _ => true,
        };
        if fits {
            return (kind, ty);
        }
        let (fallback, help) = if kind == BodyKind::Form {
            (
                (BodyKind::Form, TypeRef::Map(Box::new(TypeRef::String))),
                "the body is a map of field names to text values",
            )
        } else {
            (
                (BodyKind::RawMultipart, TypeRef::Json),
                "the body is a `MultipartForm` the app builds part by part",
            )
        };
        self.warn_help(
            pointer,
            format!(
                "a `{content_type}` body that is not an object with `properties` cannot be typed"
            ),
            help,
        );
        fallback
    }

    /// The operation's result and its typed errors.
    pub(super) fn responses(&mut self, site: &OperationSite<'a>) -> (Success, Vec<ErrorResponse>) {
        let pointer = join(&site.pointer, "responses");
        let mut cases: Vec<StatusCase> = Vec::new();
        let mut errors = Vec::new();
        for (code, response) in &site.op.responses.responses {
            let status = match code {
                oa::StatusCode::Code(c) => *c,
                oa::StatusCode::Range(r) => {
                    if *r != 2 {
                        self.warn(&join(&pointer, &format!("{r}XX")), "status ranges other than 2XX get no typed error variant; such answers are returned as `Error::UnexpectedStatus`");
                        continue;
                    }
                    200
                }
            };
            let response_pointer = join(&pointer, &code.to_string());
            let Some((response_pointer, response)) =
                self.resolve_response(response, &response_pointer)
            else {
                continue;
            };
            let payload = self.response_payload(site, status, response, &response_pointer);
            if (200..300).contains(&status) {
                if !cases.iter().any(|c| c.status == status) {
                    cases.push(StatusCase {
                        status,
                        variant: naming::status_variant(status),
                        payload,
                    });
                }
            } else if status >= 400 {
                // A declared status without a body is a variant without data.
                let ty = match payload {
                    Some(Payload {
                        kind: MediaKind::Json,
                        ty,
                    }) => Some(ty),
                    Some(_) => {
                        self.warn(&response_pointer, format!("the body of status {status} is not JSON; such answers are returned as `Error::UnexpectedStatus` with the start of the body"));
                        continue;
                    }
                    None => None,
                };
                errors.push(ErrorResponse {
                    status,
                    variant: naming::status_variant(status),
                    docs: Some(response.description.clone()).filter(|d| !d.is_empty()),
                    ty,
                });
            }
        }
        (self.success(site, cases), errors)
    }

    /// The body of a response with `status`, defined at `pointer`, if it
    /// has one.
    fn response_payload(
        &mut self,
        site: &OperationSite<'a>,
        status: u16,
        response: &'a oa::Response,
        pointer: &str,
    ) -> Option<Payload> {
        let (content_type, kind, media) = response_media(&response.content)?;
        let hint = if (200..300).contains(&status) {
            format!("{} Response", site.type_base)
        } else {
            format!("{} {}", site.type_base, naming::status_variant(status))
        };
        let media_pointer = join(&join(pointer, "content"), &content_type);
        let ty = match (kind, &media.schema) {
            (MediaKind::Text, _) => TypeRef::String,
            (MediaKind::Bytes, _) => TypeRef::Bytes,
            (MediaKind::Json, Some(schema)) => {
                self.type_ref(schema, &join(&media_pointer, "schema"), &hint)
            }
            (MediaKind::Json, None) => TypeRef::Json,
        };
        if kind == MediaKind::Json {
            let label = format!("{} response {status}", site.name);
            self.media_examples(media, &media_pointer, &label, &ty);
        }
        Some(Payload { kind, ty })
    }

    /// What a call returns on success: nothing, the one payload all the
    /// success statuses share, or an enum by status.
    fn success(&mut self, site: &OperationSite<'a>, cases: Vec<StatusCase>) -> Success {
        let distinct: BTreeSet<String> = cases.iter().map(|c| format!("{:?}", c.payload)).collect();
        match (cases.first(), distinct.len()) {
            (None, _) => Success::Empty,
            (Some(first), 1) => match &first.payload {
                Some(payload) => Success::One(payload.clone()),
                None => Success::Empty,
            },
            _ => Success::ByStatus {
                type_name: self.type_names.claim(&format!("{}Success", site.type_base)),
                cases,
            },
        }
    }

    /// Records the `example` and inline `examples` of a media type (at
    /// `pointer`) as examples of `ty`, labelled `label` and the example's
    /// name.
    pub(super) fn media_examples(
        &mut self,
        media: &oa::MediaType,
        pointer: &str,
        label: &str,
        ty: &TypeRef,
    ) {
        if let Some(example) = &media.example {
            self.example(
                &format!("{label} "),
                ty.clone(),
                example.clone(),
                &join(pointer, "example"),
            );
        }
        for (name, example) in &media.examples {
            if let oa::ReferenceOr::Item(oa::Example {
                value: Some(value), ..
            }) = example
            {
                self.example(
                    &format!("{label} {name}"),
                    ty.clone(),
                    value.clone(),
                    &join(&join(pointer, "examples"), name),
                );
            }
        }
    }
}

/// A media type without parameters, in lower case.
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or(content_type)
        .trim()
        .to_ascii_lowercase()
}

fn is_json(content_type: &str) -> bool {
    let e = essence(content_type);
    e == "application/json" || e.ends_with("+json")
}

/// The media type of a request body apigen encodes, JSON first.
pub(super) fn body_media(
    content: &indexmap::IndexMap<String, oa::MediaType>,
) -> Option<(String, BodyKind, &oa::MediaType)> {
    preferred_media(content, |content_type| {
        match essence(content_type).as_str() {
            e if is_json(e) => (0, BodyKind::Json),
            "application/x-www-form-urlencoded" => (1, BodyKind::Form),
            "multipart/form-data" => (2, BodyKind::Multipart),
            e if e.starts_with("text/") => (3, BodyKind::Text),
            _ => (4, BodyKind::Bytes),
        }
    })
}

/// The media type of a response apigen decodes, JSON first.
fn response_media(
    content: &indexmap::IndexMap<String, oa::MediaType>,
) -> Option<(String, MediaKind, &oa::MediaType)> {
    preferred_media(content, |content_type| {
        match essence(content_type).as_str() {
            e if is_json(e) => (0, MediaKind::Json),
            e if e.starts_with("text/") => (1, MediaKind::Text),
            _ => (2, MediaKind::Bytes),
        }
    })
}

/// The first media type of `content` with the lowest rank, as `rank`
/// gives it with the media type's kind.
fn preferred_media<K>(
    content: &indexmap::IndexMap<String, oa::MediaType>,
    rank: impl Fn(&str) -> (u8, K),
) -> Option<(String, K, &oa::MediaType)> {
    let (content_type, media) = content
        .iter()
        .min_by_key(|(content_type, _)| rank(content_type).0)?;
    let (_, kind) = rank(content_type);
    Some((content_type.clone(), kind, media))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::*;

    #[test]
    fn success_statuses_with_different_bodies_are_an_enum_and_json_errors_are_typed() {
        let spec = format!(
            "{HEADER}paths:
  /pets:
    post:
      operationId: addPet
      requestBody:
        required: true
        content:
          application/xml: {{schema: {{type: string}}}}
          application/json:
            schema: {{type: object, properties: {{name: {{type: string}}}}}}
            example: {{name: Rex}}
      responses:
        '200': {{description: ok, content: {{application/json: {{schema: {{type: string}}}}}}}}
        '202': {{description: later}}
        '404': {{description: gone, content: {{application/json: {{schema: {{type: integer}}}}}}}}
        '409': {{description: taken}}
        '500': {{description: down, content: {{text/plain: {{schema: {{type: string}}}}}}}}
"
        );
        let (api, warnings) = lowered(&spec);
        let op = operation_named(&api, "add_pet");
        let body = op.body.as_ref().map(|b| (b.content_type.as_str(), b.kind));
        assert_eq!(body, Some(("application/json", BodyKind::Json)));
        let examples: Vec<(&str, &str)> = api
            .examples
            .iter()
            .map(|e| (e.name.as_str(), e.origin.as_str()))
            .collect();
        assert_eq!(
            examples,
            [(
                "add_pet_request",
                "#/paths/~1pets/post/requestBody/content/application~1json/example"
            )]
        );
        let Success::ByStatus { type_name, cases } = &op.success else {
            panic!("not one type by status: {:?}", op.success);
        };
        assert_eq!(type_name, "AddPetSuccess");
        let statuses: Vec<(u16, Option<&TypeRef>)> = cases
            .iter()
            .map(|c| (c.status, c.payload.as_ref().map(|p| &p.ty)))
            .collect();
        assert_eq!(statuses, [(200, Some(&TypeRef::String)), (202, None)]);
        let errors: Vec<(u16, Option<&TypeRef>)> = op
            .errors
            .iter()
            .map(|e| (e.status, e.ty.as_ref()))
            .collect();
        // A declared status without a body is still a typed variant.
        assert_eq!(errors, [(404, Some(&TypeRef::I64)), (409, None)]);
        assert_eq!(
            located(&warnings),
            ["#/paths/~1pets/post/responses/500: the body of status 500 is not JSON; such answers are returned as `Error::UnexpectedStatus` with the start of the body"]
        );
    }
}
