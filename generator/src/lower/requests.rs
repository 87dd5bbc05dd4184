//! What the types that requests send need beyond the ones that are only
//! read: an optional, nullable field can be left out, sent as `null` (to
//! clear it) or sent with a value, so it is a `Nullable<T>` with a setter
//! that sends `null`. A type that is also read from responses is the same
//! Rust type both ways, so it has `Nullable` fields too; a type no request
//! reaches keeps `Option`s.

use std::collections::{BTreeMap, BTreeSet};

use super::naming::{self, Namespace};
use crate::model::*;

/// Marks the optional, nullable fields of every type a parameter or a
/// request body of `operations` reaches, naming their `null` setters.
pub(super) fn explicit_nulls(types: &mut BTreeMap<TypeId, TypeDef>, operations: &[Operation]) {
    for id in sent_types(types, operations) {
        let Some(TypeDef {
            kind: TypeKind::Struct(s),
            ..
        }) = types.get_mut(&id)
        else {
            continue;
        };
        // Setters are unique among the struct's methods: `new` and one
        // `with_<field>` per field.
        let mut methods = Namespace::new();
        methods.reserve("new");
        for f in &s.fields {
            methods.reserve(&naming::setter_name(&f.name));
        }
        for f in s.fields.iter_mut() {
            if !f.required && f.nullable && !f.flatten {
                f.null_setter = Some(methods.claim(&naming::null_setter_name(&f.name)));
            }
        }
    }
}

/// The named types a parameter or request body of `operations` reaches,
/// through fields, variants, aliases and containers.
fn sent_types(types: &BTreeMap<TypeId, TypeDef>, operations: &[Operation]) -> BTreeSet<TypeId> {
    let mut work: Vec<&TypeRef> = Vec::new();
    for op in operations {
        work.extend(op.params.iter().map(|p| &p.ty));
        work.extend(op.body.iter().map(|b| &b.ty));
    }
    let mut sent = BTreeSet::new();
    while let Some(ty) = work.pop() {
        match ty {
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => work.push(inner),
            TypeRef::Named(id) if sent.insert(*id) => match types.get(id).map(|t| &t.kind) {
                Some(TypeKind::Struct(s)) => {
                    work.extend(s.fields.iter().map(|f| &f.ty));
                    work.extend(s.additional.iter().map(|a| &a.ty));
                }
                Some(TypeKind::Exclusive(x)) => work.extend(x.variants.iter().map(|v| &v.ty)),
                Some(TypeKind::Union(u)) => work.extend(u.variants.iter().map(|v| &v.ty)),
                Some(TypeKind::Alias(target)) => work.push(target),
                Some(TypeKind::StringEnum(_)) | None => {}
            },
            _ => {}
        }
    }
    sent
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::*;

    fn null_setters(api: &Api, name: &str) -> Vec<(String, Option<String>)> {
        let TypeKind::Struct(s) = &type_named(api, name).kind else {
            panic!("`{name}` is not a struct");
        };
        s.fields
            .iter()
            .map(|f| (f.name.clone(), f.null_setter.clone()))
            .collect()
    }

    #[test]
    fn optional_nullable_fields_of_request_types_get_a_null_setter() {
        let spec = format!(
            "{HEADER}paths:
  /pets:
    put:
      requestBody:
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/PetUpdate'}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Pet'}}
components:
  schemas:
    PetUpdate:
      type: object
      required: [name, tag]
      properties:
        name: {{type: string}}
        tag: {{type: string, nullable: true}}
        note: {{type: string, nullable: true}}
        note_null: {{type: string}}
        owner: {{$ref: '#/components/schemas/Owner'}}
    Owner:
      type: object
      properties:
        email: {{type: string, nullable: true}}
    Pet:
      type: object
      properties:
        note: {{type: string, nullable: true}}
"
        );
        let (api, _) = lowered(&spec);
        // A required nullable field is an `Option` sent as `null`; the
        // setter of `note` does not take the name of `note_null`'s.
        assert_eq!(
            null_setters(&api, "PetUpdate"),
            [
                ("name".to_string(), None),
                ("tag".to_string(), None),
                ("note".to_string(), Some("with_note_null2".to_string())),
                ("note_null".to_string(), None),
                ("owner".to_string(), None),
            ]
        );
        assert_eq!(
            null_setters(&api, "Owner"),
            [("email".to_string(), Some("with_email_null".to_string()))]
        );
        // Only read: a plain `Option`.
        assert_eq!(null_setters(&api, "Pet"), [("note".to_string(), None)]);
    }
}
