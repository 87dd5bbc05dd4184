//! Webhooks (OpenAPI 3.1 `webhooks`): requests the API sends to an app.
//! The JSON body of each is a type of the generated crate, named after the
//! webhook when it is inline, and each webhook is one [`Webhook`] event the
//! app can decode. A webhook without a JSON body, or one that is a
//! reference, is left out with a warning.

use openapiv3 as oa;

use super::bodies::body_media;
use super::naming::{self, Namespace};
use super::Lowerer;
use crate::diag::join;
use crate::model::*;

impl<'a> Lowerer<'a> {
    /// The webhooks' events, in document order.
    pub(super) fn webhooks(&mut self) -> Vec<Webhook> {
        let mut names = Namespace::new();
        let mut webhooks = Vec::new();
        for (key, item) in self.webhooks {
            let pointer = join("#/webhooks", key);
            let item = match item {
                oa::ReferenceOr::Item(item) => item,
                oa::ReferenceOr::Reference { reference } => {
                    self.warn(
                        &join(&pointer, "$ref"),
                        format!("webhook `{key}` refers to `{reference}`, which is not a path item of `components/pathItems`; it is left out"),
                    );
                    continue;
                }
            };
            let operations: Vec<(&str, &'a oa::Operation)> = item.iter().collect();
            let several = operations.len() > 1;
            for (method, op) in operations {
                let op_pointer = join(&pointer, method);
                let label = if several {
                    format!("{key} {method}")
                } else {
                    key.clone()
                };
                let Some(ty) = self.webhook_body(op, &op_pointer, &label) else {
                    continue;
                };
                webhooks.push(Webhook {
                    name: names.claim(&naming::type_name(&label)),
                    key: key.clone(),
                    docs: op.summary.clone().or_else(|| op.description.clone()),
                    ty,
                    origin: self.rewrites.original(&op_pointer),
                });
            }
        }
        webhooks
    }

    /// The type of a webhook operation's JSON request body; an inline
    /// schema is named after `label`.
    fn webhook_body(
        &mut self,
        op: &'a oa::Operation,
        pointer: &str,
        label: &str,
    ) -> Option<TypeRef> {
        let body_pointer = join(pointer, "requestBody");
        let Some(body) = &op.request_body else {
            self.warn(
                pointer,
                "this webhook has no request body; it gets no event in the `webhooks` module",
            );
            return None;
        };
        let (body_pointer, body) = self.resolve_request_body(body, &body_pointer)?;
        let json = body_media(&body.content)
            .filter(|(_, kind, media)| *kind == BodyKind::Json && media.schema.is_some());
        let Some((content_type, _, media)) = json else {
            self.warn(
                &join(&body_pointer, "content"),
                "this webhook has no JSON body with a schema; it gets no event in the `webhooks` module",
            );
            return None;
        };
        let media_pointer = join(&join(&body_pointer, "content"), &content_type);
        let schema = media.schema.as_ref()?;
        let hint = format!("{label} Webhook");
        let ty = self.type_ref(schema, &join(&media_pointer, "schema"), &hint);
        self.media_examples(media, &media_pointer, &format!("{label} webhook"), &ty);
        Some(ty)
    }
}
