//! The `webhooks` module of a spec with webhooks (OpenAPI 3.1): one enum
//! of the events the API sends to an app, decoded from a request's JSON
//! body by the webhook's name.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{docs, ident, type_tokens};
use crate::model::*;

/// The module's items, or `None` when the spec has no webhooks.
pub fn module(api: &Api) -> Option<TokenStream> {
    if api.webhooks.is_empty() {
        return None;
    }
    let variants = api.webhooks.iter().map(|webhook| {
        let name = ident(&webhook.name);
        let ty = type_tokens(api, &webhook.ty);
        let docs = docs(Some(&variant_docs(webhook)));
        quote! { #docs #name(#ty), }
    });
    let decodes = api.webhooks.iter().map(|webhook| {
        let name = ident(&webhook.name);
        let key = Literal::string(&webhook.key);
        quote! { #key => serde_json::from_slice(body).map(Self::#name), }
    });
    let names = api.webhooks.iter().map(|webhook| {
        let name = ident(&webhook.name);
        let key = Literal::string(&webhook.key);
        quote! { Self::#name(_) => #key, }
    });
    let keys = api.webhooks.iter().map(|w| Literal::string(&w.key));
    Some(quote! {
        //! The requests the API sends to an app's webhooks: [`Event`] decodes
        //! one from the webhook's name and the request's body.
        #[allow(unused_imports)]
        use super::types;

        /// An event the API sends to one of the app's webhooks.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(#variants)*
        }

        impl Event {
            /// The webhooks' names, as the spec writes them.
            pub const NAMES: &'static [&'static str] = &[#(#keys),*];

            /// Decodes the JSON `body` of a request the API sent to the
            /// webhook `name` (one of [`Event::NAMES`]: which webhook a
            /// request is for, the app's routing knows).
            ///
            /// # Errors
            ///
            /// When `name` is no webhook of the spec, or the body is not
            /// that webhook's JSON.
            pub fn from_body(name: &str, body: &[u8]) -> Result<Self, serde_json::Error> {
                match name {
                    #(#decodes)*
                    _ => Err(<serde_json::Error as serde::de::Error>::custom(format!(
                        "`{name}` is not a webhook of the API"
                    ))),
                }
            }

            /// The name of the webhook the event is for.
            pub fn name(&self) -> &'static str {
                match self {
                    #(#names)*
                }
            }
        }
    })
}

/// The docs of a webhook's variant: its summary, and its name and place in
/// the spec.
fn variant_docs(webhook: &Webhook) -> String {
    let place = format!(
        "The `{}` webhook, at `{}` in the spec.",
        webhook.key, webhook.origin
    );
    match &webhook.docs {
        Some(docs) => format!("{docs}\n\n{place}"),
        None => place,
    }
}
