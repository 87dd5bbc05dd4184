//! A union with a discriminator writes its variant's tag itself, so that
//! an app cannot build a variant whose tag says another one. The struct of
//! a variant therefore loses the discriminating property, unless something
//! else uses that struct on its own (a field, a body, an example, another
//! union's variant without a tag): there the property is the struct's to
//! send, and the union overrides it.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::*;

/// Removes the discriminating property from the structs that are only
/// tagged variants of discriminated unions.
pub(super) fn written_by_unions(
    types: &mut BTreeMap<TypeId, TypeDef>,
    operations: &[Operation],
    webhooks: &[Webhook],
    examples: &[Example],
) {
    let standalone = standalone_uses(types, operations, webhooks, examples);
    let mut strip: Vec<(TypeId, String)> = Vec::new();
    for def in types.values() {
        let TypeKind::Union(Union {
            variants,
            discriminator: Some(d),
        }) = &def.kind
        else {
            continue;
        };
        for (_, index) in &d.mapping {
            if let Some(TypeRef::Named(id)) = variants.get(*index).map(|v| &v.ty) {
                if !standalone.contains(id) {
                    strip.push((*id, d.property.clone()));
                }
            }
        }
    }
    for (id, property) in strip {
        if let Some(TypeDef {
            kind: TypeKind::Struct(s),
            ..
        }) = types.get_mut(&id)
        {
            s.fields.retain(|f| f.flatten || f.wire_name != property);
        }
    }
}

/// The named types used other than as a tagged variant of a discriminated
/// union.
fn standalone_uses(
    types: &BTreeMap<TypeId, TypeDef>,
    operations: &[Operation],
    webhooks: &[Webhook],
    examples: &[Example],
) -> BTreeSet<TypeId> {
    let mut uses: Vec<&TypeRef> = Vec::new();
    for op in operations {
        uses.extend(op.params.iter().map(|p| &p.ty));
        uses.extend(op.body.iter().map(|b| &b.ty));
        uses.extend(op.errors.iter().filter_map(|e| e.ty.as_ref()));
        match &op.success {
            Success::Empty => {}
            Success::One(payload) => uses.push(&payload.ty),
            Success::ByStatus { cases, .. } => {
                uses.extend(
                    cases
                        .iter()
                        .filter_map(|c| c.payload.as_ref().map(|p| &p.ty)),
                );
            }
        }
    }
    uses.extend(webhooks.iter().map(|w| &w.ty));
    uses.extend(examples.iter().map(|e| &e.ty));
    for def in types.values() {
        match &def.kind {
            TypeKind::Struct(s) => {
                uses.extend(s.fields.iter().map(|f| &f.ty));
                uses.extend(s.additional.iter().map(|a| &a.ty));
            }
            TypeKind::Exclusive(x) => uses.extend(x.variants.iter().map(|v| &v.ty)),
            TypeKind::Union(u) => {
                let tagged: BTreeSet<usize> = u
                    .discriminator
                    .iter()
                    .flat_map(|d| d.mapping.iter().map(|(_, index)| *index))
                    .collect();
                let untagged = u.variants.iter().enumerate();
                uses.extend(
                    untagged
                        .filter(|(i, _)| !tagged.contains(i))
                        .map(|(_, v)| &v.ty),
                );
            }
            TypeKind::Alias(target) => uses.push(target),
            TypeKind::StringEnum(_) => {}
        }
    }
    let mut named = BTreeSet::new();
    while let Some(ty) = uses.pop() {
        match ty {
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => uses.push(inner),
            TypeRef::Named(id) => {
                named.insert(*id);
            }
            _ => {}
        }
    }
    named
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::*;

    fn field_names(api: &Api, name: &str) -> Vec<String> {
        let TypeKind::Struct(s) = &type_named(api, name).kind else {
            panic!("`{name}` is not a struct");
        };
        s.fields.iter().map(|f| f.name.clone()).collect()
    }

    #[test]
    fn only_variants_used_nowhere_else_lose_the_tag_property() {
        let spec = with_schemas(
            "    Circle:
      type: object
      required: [kind, radius]
      properties: {kind: {type: string}, radius: {type: number}}
    Square:
      type: object
      required: [kind, side]
      properties: {kind: {type: string}, side: {type: number}}
    Shape:
      oneOf: [{$ref: '#/components/schemas/Circle'}, {$ref: '#/components/schemas/Square'}]
      discriminator: {propertyName: kind}
    Drawing:
      type: object
      properties:
        shape: {$ref: '#/components/schemas/Shape'}
        frame: {$ref: '#/components/schemas/Square'}
",
        );
        let (api, _) = lowered(&spec);
        assert_eq!(field_names(&api, "Circle"), ["radius"]);
        assert_eq!(field_names(&api, "Square"), ["kind", "side"]);
    }
}
