//! Boxes the variants that would make a generated enum much larger than
//! most of its values: a union, a success enum or an error enum whose one
//! variant holds a large struct takes that struct's size for every value,
//! and clippy's `large_enum_variant` refuses it.
//!
//! Sizes are estimated from the model, generously (a large estimate only
//! boxes a variant that clippy would have let pass), and a variant is boxed
//! while the largest is at least [`THRESHOLD`] bytes larger than the next,
//! as clippy measures.

use crate::model::*;

/// The difference in bytes between the largest and the next largest
/// variant from which clippy refuses an enum.
const THRESHOLD: usize = 200;

/// How deep the estimate follows named types (deeper ones count as large).
const MAX_DEPTH: usize = 16;

/// Boxes the large variants of the unions in `types`, of the success
/// and error enums of `operations` and of the webhooks' event enum.
pub fn box_large_variants(
    types: &mut TypeArena,
    operations: &mut [Operation],
    webhooks: &mut [Webhook],
) {
    let ids: Vec<TypeId> = types.types.keys().copied().collect();
    for id in ids {
        let Some(TypeKind::Union(union)) = types.get(id).map(|t| &t.kind) else {
            continue;
        };
        // A discriminated union keeps unknown values as a JSON value.
        let others = if union.discriminator.is_some() {
            vec![size(types, &TypeRef::Json, 0)]
        } else {
            Vec::new()
        };
        let mut variants: Vec<TypeRef> = union.variants.iter().map(|v| v.ty.clone()).collect();
        if box_largest(types, &mut variants, &others) {
            if let Some(TypeKind::Union(union)) = types.types.get_mut(&id).map(|t| &mut t.kind) {
                for (variant, ty) in union.variants.iter_mut().zip(variants) {
                    variant.ty = ty;
                }
            }
        }
    }
    for op in operations {
        if let Success::ByStatus { cases, .. } = &mut op.success {
            let mut payloads: Vec<TypeRef> = Vec::new();
            let mut empty = Vec::new();
            for case in cases.iter() {
                match &case.payload {
                    Some(payload) => payloads.push(payload.ty.clone()),
                    None => empty.push(0),
                }
            }
            if box_largest(types, &mut payloads, &empty) {
                let mut boxed = payloads.into_iter();
                for payload in cases.iter_mut().filter_map(|c| c.payload.as_mut()) {
                    if let Some(ty) = boxed.next() {
                        payload.ty = ty;
                    }
                }
            }
        }
        let mut errors: Vec<TypeRef> = op.errors.iter().filter_map(|e| e.ty.clone()).collect();
        let empty: Vec<usize> = op
            .errors
            .iter()
            .filter(|e| e.ty.is_none())
            .map(|_| 0)
            .collect();
        if box_largest(types, &mut errors, &empty) {
            let mut boxed = errors.into_iter();
            for ty in op.errors.iter_mut().filter_map(|e| e.ty.as_mut()) {
                if let Some(new) = boxed.next() {
                    *ty = new;
                }
            }
        }
    }
    box_large_events(types, webhooks);
}

/// Boxes the large payloads of the webhooks' event enum.
fn box_large_events(types: &TypeArena, webhooks: &mut [Webhook]) {
    let mut events: Vec<TypeRef> = webhooks.iter().map(|w| w.ty.clone()).collect();
    if box_largest(types, &mut events, &[]) {
        for (webhook, ty) in webhooks.iter_mut().zip(events) {
            webhook.ty = ty;
        }
    }
}

/// Boxes the largest of `variants` while it is at least [`THRESHOLD`]
/// bytes larger than the next (among `variants` and the sizes of the enum's
/// `other` variants); whether any was boxed.
fn box_largest(types: &TypeArena, variants: &mut [TypeRef], others: &[usize]) -> bool {
    let mut boxed_any = false;
    loop {
        let sizes: Vec<usize> = variants.iter().map(|ty| size(types, ty, 0)).collect();
        let Some((largest, &max)) = sizes.iter().enumerate().max_by_key(|(_, s)| **s) else {
            return boxed_any;
        };
        let next = sizes
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != largest)
            .map(|(_, s)| *s)
            .chain(others.iter().copied())
            .max()
            .unwrap_or(0);
        let Some(ty) = variants.get_mut(largest) else {
            return boxed_any;
        };
        if max < next + THRESHOLD || matches!(ty, TypeRef::Boxed(_)) {
            return boxed_any;
        }
        *ty = TypeRef::Boxed(Box::new(ty.clone()));
        boxed_any = true;
    }
}

/// An estimate of the size in bytes of a value of `ty`.
fn size(types: &TypeArena, ty: &TypeRef, depth: usize) -> usize {
    match ty {
        TypeRef::Bool => 1,
        TypeRef::I32 | TypeRef::F32 | TypeRef::Date => 4,
        TypeRef::I64 | TypeRef::F64 | TypeRef::Boxed(_) => 8,
        TypeRef::DateTime => 16,
        TypeRef::String | TypeRef::Bytes | TypeRef::Vec(_) | TypeRef::Map(_) => 24,
        // With serde_json's `preserve_order`, an object is an `IndexMap`.
        TypeRef::Json => 80,
        TypeRef::Named(_) if depth >= MAX_DEPTH => 1024,
        TypeRef::Named(id) => match types.get(*id).map(|t| &t.kind) {
            Some(TypeKind::Struct(s)) => round_up(
                s.fields
                    .iter()
                    .map(|f| field_size(types, f, depth + 1))
                    .sum(),
            ),
            Some(TypeKind::Union(u)) => {
                let largest = u.variants.iter().map(|v| size(types, &v.ty, depth + 1));
                round_up(largest.max().unwrap_or(0) + 8)
            }
            Some(TypeKind::Alias(inner)) => size(types, inner, depth + 1),
            Some(TypeKind::StringEnum(_)) | Some(TypeKind::Exclusive(_)) | None => 32,
        },
    }
}

/// A field's size: an `Option` of a type without a spare bit pattern
/// takes a word more.
fn field_size(types: &TypeArena, field: &Field, depth: usize) -> usize {
    let inner = size(types, &field.ty, depth);
    let optional = !field.required || field.nullable;
    if optional && inner < 24 {
        inner + 8
    } else {
        inner
    }
}

fn round_up(bytes: usize) -> usize {
    bytes.div_ceil(8) * 8
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::*;

    /// A success enum whose 200 holds a large struct and whose 204 holds
    /// nothing boxes the struct; a small struct is left as it is.
    #[test]
    fn a_variant_much_larger_than_the_others_is_boxed() {
        let fields: String = (0..12)
            .map(|i| format!("f{i}: {{type: string}}, "))
            .collect();
        let required: Vec<String> = (0..12).map(|i| format!("f{i}")).collect();
        let spec = format!(
            "{HEADER}paths:
  /big:
    get:
      operationId: getBig
      responses:
        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Big'}}}}}}}}
        '204': {{description: none}}
  /small:
    get:
      operationId: getSmall
      responses:
        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Small'}}}}}}}}
        '204': {{description: none}}
components:
  schemas:
    Big: {{type: object, required: [{}], properties: {{{fields}}}}}
    Small: {{type: object, properties: {{a: {{type: string}}}}}}
",
            required.join(", ")
        );
        let (api, _) = lowered(&spec);
        let payload = |name: &str| match &operation_named(&api, name).success {
            Success::ByStatus { cases, .. } => cases[0].payload.clone().map(|p| p.ty),
            other => panic!("not by status: {other:?}"),
        };
        let big = type_named(&api, "Big").id;
        let small = type_named(&api, "Small").id;
        assert_eq!(
            payload("get_big"),
            Some(TypeRef::Boxed(Box::new(TypeRef::Named(big))))
        );
        assert_eq!(payload("get_small"), Some(TypeRef::Named(small)));
    }
}
