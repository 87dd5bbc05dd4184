//! The spec's examples, turned into code: round-trip tests for the
//! generated types, and the usage example of the generated README.

use std::collections::BTreeSet;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::{ident, type_tokens, CrateInfo};
use crate::lower::naming;
use crate::model::*;
use crate::render::{rust_snippet, Part, RustFile};

/// `#[test]`s that decode every example into its type and encode it back
/// to the same JSON.
pub fn tests(api: &Api) -> RustFile<'_> {
    let cases = api
        .examples
        .iter()
        .map(|example| -> Part<'_> { Box::new(move || case(api, example)) });
    let head = || {
        quote! {
            //! Every `example` of the spec decodes into its generated type and
            //! encodes back to the same JSON.
            use super::types;

            fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(json: &str) {
                let expected: serde_json::Value = serde_json::from_str(json).expect("the example is JSON");
                let typed: T = serde_json::from_value(expected.clone()).expect("the example decodes");
                let actual = serde_json::to_value(&typed).expect("the example encodes");
                assert_eq!(actual, expected);
            }
        }
    };
    RustFile::items(head, cases.collect())
}

/// The round-trip test of one example.
fn case(api: &Api, example: &Example) -> TokenStream {
    let name = format_ident!("{}", example_fn_name(&example.name));
    let ty = type_tokens(api, &example.ty);
    let json = raw_string(&serde_json::to_string(&example.value).unwrap_or_default());
    let doc = format!(" {}", example.origin);
    quote! {
        #[doc = #doc]
        #[test]
        fn #name() {
            round_trip::<#ty>(#json);
        }
    }
}

fn example_fn_name(name: &str) -> String {
    // Example names are claimed through `naming::snake_name`, hence valid.
    let candidate = format!("example_{name}");
    if candidate
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        candidate
    } else {
        "example_invalid_name".to_string()
    }
}

/// The README's usage example: build a client, call one operation.
pub fn usage(api: &Api, info: &CrateInfo) -> String {
    let lib = format_ident!("{}", info.lib_name());
    // Prefer an operation with a body and an example of it.
    let op = api
        .operations
        .iter()
        .find(|op| {
            op.body
                .as_ref()
                .is_some_and(|b| example_for(api, &b.ty).is_some())
        })
        .or_else(|| api.operations.first());
    let Some(op) = op else {
        return String::new();
    };
    let mut imports = BTreeSet::new();
    imports.insert("Client".to_string());
    let mut lets = Vec::new();
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.required) {
        let name = ident(&p.name);
        let value = match (&p.ty, &p.example) {
            (TypeRef::String, Some(Value::String(s))) => Some(quote!(#s)),
            (ty, Some(v)) => value_expr(api, ty, v, &mut imports),
            (_, None) => None,
        };
        let value = value.unwrap_or_else(|| default_expr(&p.ty, &p.wire_name));
        let arg = argument_expr(&p.ty, value);
        lets.push(quote!(let #name = #arg;));
        args.push(quote!(#name));
    }
    let mut optional_body = None;
    if let Some(body) = &op.body {
        let value =
            example_for(api, &body.ty).and_then(|v| value_expr(api, &body.ty, &v, &mut imports));
        let value = value.unwrap_or_else(|| quote!(serde_json::from_str("{}")?));
        lets.push(quote!(let body = #value;));
        if body.required {
            args.push(quote!(&body));
        } else {
            optional_body = Some(quote!(.body(&body)));
        }
    }
    let method = ident(&op.name);
    // An operation with many required arguments takes them as one struct.
    let args = match &op.required_args {
        None => quote!(#(#args),*),
        Some(args_type) => {
            let args_type = ident(args_type);
            let mut names: Vec<_> = op
                .params
                .iter()
                .filter(|p| p.required)
                .map(|p| ident(&p.name))
                .collect();
            if op.body.as_ref().is_some_and(|b| b.required) {
                names.push(ident("body"));
            }
            quote!(#lib::builders::#args_type { #(#names: #args),* })
        }
    };
    let imports = imports.iter().map(|n| ident(n));
    let token_var = format!("{}_TOKEN", info.lib_name().to_ascii_uppercase());
    let call = if op.success != Success::Empty {
        quote! {
            let answer = client
                .#method(#args)
                #optional_body
                .timeout(std::time::Duration::from_secs(10))
                .await?;
            println!("{answer:?}");
        }
    } else {
        quote! {
            client
                .#method(#args)
                #optional_body
                .timeout(std::time::Duration::from_secs(10))
                .await?;
        }
    };
    let tokens = quote! {
        use #lib::{#(#imports),*};

        async fn example() -> Result<(), Box<dyn std::error::Error>> {
            let client = Client::builder()
                .bearer_token(std::env::var(#token_var)?)
                .build()?;
            #(#lets)*
            #call
            Ok(())
        }
    };
    rust_snippet(tokens).unwrap_or_default()
}

/// The example of a body type: the request example of the spec, if any.
fn example_for(api: &Api, ty: &TypeRef) -> Option<Value> {
    api.examples
        .iter()
        .find(|e| &e.ty == ty)
        .map(|e| e.value.clone())
}

fn argument_expr(ty: &TypeRef, value: TokenStream) -> TokenStream {
    match ty {
        TypeRef::String => quote!(#value),
        TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64 => value,
        _ => quote!(&#value),
    }
}

fn default_expr(ty: &TypeRef, wire: &str) -> TokenStream {
    match ty {
        TypeRef::Bool => quote!(false),
        TypeRef::I32 | TypeRef::I64 => quote!(1),
        TypeRef::F32 | TypeRef::F64 => quote!(1.0),
        _ => {
            let text = format!("your-{wire}");
            quote!(#text)
        }
    }
}

/// A Rust expression of type `ty` equal to the JSON `value`, or `None`
/// when the value does not fit the type.
fn value_expr(
    api: &Api,
    ty: &TypeRef,
    value: &Value,
    imports: &mut BTreeSet<String>,
) -> Option<TokenStream> {
    match (ty, value) {
        (TypeRef::String, Value::String(s)) => Some(quote!(#s.to_string())),
        (TypeRef::DateTime | TypeRef::Date, Value::String(s)) => Some(quote!(#s.parse()?)),
        (TypeRef::Boxed(inner), _) => {
            let inner = value_expr(api, inner, value, imports)?;
            Some(quote!(Box::new(#inner)))
        }
        (TypeRef::Bool, Value::Bool(b)) => Some(quote!(#b)),
        (TypeRef::I32 | TypeRef::I64, Value::Number(n)) => n.as_i64().map(|i| {
            let lit = Literal::i64_unsuffixed(i);
            quote!(#lit)
        }),
        (TypeRef::F32 | TypeRef::F64, Value::Number(n)) => n.as_f64().map(|f| {
            let lit = Literal::f64_unsuffixed(f);
            quote!(#lit)
        }),
        (TypeRef::Vec(item), Value::Array(items)) => {
            let items: Option<Vec<TokenStream>> = items
                .iter()
                .map(|v| value_expr(api, item, v, imports))
                .collect();
            let items = items?;
            Some(quote!(vec![#(#items),*]))
        }
        (TypeRef::Named(id), _) => {
            let def = api.types.get(*id)?;
            let name = ident(&def.name);
            match &def.kind {
                TypeKind::Alias(inner) => value_expr(api, inner, value, imports),
                TypeKind::StringEnum(e) => {
                    let s = value.as_str()?;
                    let variant = e.variants.iter().find(|v| v.wire_name == s)?;
                    let variant = ident(&variant.name);
                    imports.insert(def.name.clone());
                    Some(quote!(#name::#variant))
                }
                TypeKind::Struct(s) => {
                    let built = struct_expr(api, s, value, imports)?;
                    imports.insert(def.name.clone());
                    Some(quote!(#name::#built))
                }
                TypeKind::Exclusive(_) | TypeKind::Union(_) => None,
            }
        }
        _ => None,
    }
}

/// `new(..)` and one setter call per optional field the JSON object `value`
/// sets, to follow `#name::`; `None` when the value does not fit.
fn struct_expr(
    api: &Api,
    s: &Struct,
    value: &Value,
    imports: &mut BTreeSet<String>,
) -> Option<TokenStream> {
    let object = value.as_object()?;
    let mut required = Vec::new();
    let mut setters = Vec::new();
    for f in &s.fields {
        let field = ident(&f.name);
        if f.flatten {
            if let Some(expr) = flattened(api, &f.ty, object, imports)? {
                let setter = format_ident!("{}", naming::setter_name(&f.name));
                setters.push(quote!(.#setter(#expr)));
            }
            continue;
        }
        match object.get(&f.wire_name) {
            Some(v) if f.is_mandatory() => {
                let expr = value_expr(api, &f.ty, v, imports)?;
                required.push((field, expr));
            }
            None if f.is_mandatory() => return None,
            Some(Value::Null) => {
                if let Some(null_setter) = &f.null_setter {
                    let null_setter = format_ident!("{}", null_setter);
                    setters.push(quote!(.#null_setter()));
                }
            }
            None => {}
            Some(v) => {
                let expr = value_expr(api, &f.ty, v, imports)?;
                let setter = format_ident!("{}", naming::setter_name(&f.name));
                setters.push(quote!(.#setter(#expr)));
            }
        }
    }
    let args = match &s.required_type {
        None => {
            let exprs = required.iter().map(|(_, expr)| expr);
            quote!(#(#exprs),*)
        }
        Some(required_type) => {
            imports.insert(required_type.clone());
            let required_type = ident(required_type);
            let fields = required.iter().map(|(field, expr)| quote!(#field: #expr));
            quote!(#required_type { #(#fields),* })
        }
    };
    Some(quote!(new(#args) #(#setters)*))
}

/// `Variant(value)` for the flattened exclusive field present in `object`,
/// `Some(None)` when neither key is, `None` when the value does not fit.
fn flattened(
    api: &Api,
    ty: &TypeRef,
    object: &serde_json::Map<String, Value>,
    imports: &mut BTreeSet<String>,
) -> Option<Option<TokenStream>> {
    let TypeRef::Named(id) = ty else { return None };
    let def = api.types.get(*id)?;
    let TypeKind::Exclusive(x) = &def.kind else {
        return None;
    };
    let present: Vec<&ExclusiveVariant> = x
        .variants
        .iter()
        .filter(|v| object.contains_key(&v.wire_name))
        .collect();
    match present.as_slice() {
        [] => Some(None),
        [v] => {
            let inner = value_expr(api, &v.ty, object.get(&v.wire_name)?, imports)?;
            let name = ident(&def.name);
            let variant = ident(&v.name);
            imports.insert(def.name.clone());
            Some(Some(quote!(#name::#variant(#inner))))
        }
        _ => None,
    }
}

/// A raw string literal holding `text`, with enough `#`s to be unambiguous.
fn raw_string(text: &str) -> TokenStream {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| quote!(#text))
}
