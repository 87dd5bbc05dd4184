//! Schemas to Rust types: a [`TypeKind`] for a schema that gets a named
//! type, a [`TypeRef`] for a schema used in place.
//!
//! Component schemas get their ids and names before any is converted, so
//! that every reference resolves, including a reference to the schema
//! being converted. An inline schema that needs a type of its own (an
//! object, a string enum, a union) gets one named after where it is used
//! (the `hint`). Objects are in [`super::objects`].

use std::borrow::Borrow;
use std::collections::BTreeSet;

use openapiv3 as oa;

use super::naming::{self, Namespace};
use super::objects::ObjectView;
use super::refs::unescape_token;
use super::Lowerer;
use crate::diag::join;
use crate::model::*;

impl<'a> Lowerer<'a> {
    /// Reserves a type for every component schema, then defines each, in
    /// document order. A component object's `example` becomes an example.
    pub(super) fn component_schemas(&mut self) {
        let Some(components) = &self.spec.components else {
            return;
        };
        let mut pending = Vec::new();
        for (key, schema) in &components.schemas {
            let id = self.reserve(&naming::type_name(key));
            self.components.insert(key.clone(), id);
            pending.push((id, key, schema));
        }
        for (id, key, schema) in pending {
            let pointer = join("#/components/schemas", key);
            self.define(id, schema, &pointer);
            if let Some(example) = self
                .resolve_schema(schema, &pointer)
                .and_then(|s| s.schema_data.example.clone())
            {
                if self.is_struct(&TypeRef::Named(id)) {
                    self.example(
                        &format!("schema {key}"),
                        TypeRef::Named(id),
                        example,
                        &join(&pointer, "example"),
                    );
                }
            }
        }
    }

    /// A new type named after `base` (made unique), to be filled in later
    /// (see [`Lowerer::fill`]); until then it is an alias of any JSON.
    pub(super) fn reserve(&mut self, base: &str) -> TypeId {
        let id = TypeId(self.next_id);
        self.next_id += 1;
        let name = self.type_names.claim(base);
        self.types.insert(
            id,
            TypeDef {
                id,
                name,
                origin: String::new(),
                docs: None,
                kind: TypeKind::Alias(TypeRef::Json),
            },
        );
        id
    }

    /// Completes a reserved type.
    pub(super) fn fill(
        &mut self,
        id: TypeId,
        origin: String,
        docs: Option<String>,
        kind: TypeKind,
    ) {
        if let Some(def) = self.types.get_mut(&id) {
            def.origin = origin;
            def.docs = docs;
            def.kind = kind;
        }
    }

    /// The name of a reserved type.
    fn name_of(&self, id: TypeId) -> String {
        self.types
            .get(&id)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    }

    /// Whether `ty` is a generated struct.
    pub(super) fn is_struct(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Named(id) => matches!(
                self.types.get(id).map(|t| &t.kind),
                Some(TypeKind::Struct(_))
            ),
            _ => false,
        }
    }

    /// The single allowed value of a string schema with a one-value enum.
    pub(super) fn single_string_enum(
        &mut self,
        schema: &'a oa::ReferenceOr<oa::Schema>,
        pointer: &str,
    ) -> Option<String> {
        let schema = self.resolve_schema(schema, pointer)?;
        match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::String(s)) => match s.enumeration.as_slice() {
                [Some(only)] => Some(only.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// Fills in the type reserved as `id` from a component schema.
    fn define(&mut self, id: TypeId, schema: &'a oa::ReferenceOr<oa::Schema>, pointer: &str) {
        let kind = match schema {
            oa::ReferenceOr::Reference { .. } => match self.resolve_schema(schema, pointer) {
                Some(_) => TypeKind::Alias(self.type_ref(schema, pointer, "")),
                None => TypeKind::Alias(TypeRef::Json),
            },
            oa::ReferenceOr::Item(item) => {
                let name = self.name_of(id);
                self.kind_of(item, pointer, &name)
            }
        };
        let docs = match schema {
            oa::ReferenceOr::Item(item) => schema_docs(item),
            oa::ReferenceOr::Reference { .. } => None,
        };
        self.fill(id, pointer.to_string(), docs, kind);
    }

    /// The Rust type for a schema that needs a named type of its own
    /// (objects and enums), or an alias for anything else.
    fn kind_of(&mut self, schema: &'a oa::Schema, pointer: &str, name: &str) -> TypeKind {
        if let Some(only) = single_all_of(schema) {
            return TypeKind::Alias(self.type_ref(only, &join(&join(pointer, "allOf"), "0"), name));
        }
        if let Some(object) = self.object_view(schema, pointer) {
            return TypeKind::Struct(self.object(object, pointer, name));
        }
        if let Some(values) = string_enum_values(schema) {
            return TypeKind::StringEnum(self.string_enum(values, pointer));
        }
        if let Some((keyword, alternatives)) = alternatives(schema) {
            let mut union = self.union(alternatives, &join(pointer, keyword), name);
            union.discriminator = self.discriminator(schema, alternatives, &union, pointer);
            return TypeKind::Union(union);
        }
        TypeKind::Alias(self.inline_type(schema, pointer, name))
    }

    /// The Rust type of a schema used in place (a field, a parameter, a
    /// body); `hint` names the type an inline schema may need. Property
    /// schemas come boxed, hence `S`.
    pub(super) fn type_ref<S: Borrow<oa::Schema>>(
        &mut self,
        s: &'a oa::ReferenceOr<S>,
        pointer: &str,
        hint: &str,
    ) -> TypeRef {
        match s {
            oa::ReferenceOr::Reference { reference } => self.reference_type(reference, pointer),
            oa::ReferenceOr::Item(item) => self.inline_type(item.borrow(), pointer, hint),
        }
    }

    fn inline_type(&mut self, schema: &'a oa::Schema, pointer: &str, hint: &str) -> TypeRef {
        if let Some(only) = single_all_of(schema) {
            return self.type_ref(only, &join(&join(pointer, "allOf"), "0"), hint);
        }
        if needs_named_type(schema) {
            let id = self.reserve(&naming::type_name(hint));
            let name = self.name_of(id);
            let kind = self.kind_of(schema, pointer, &name);
            self.fill(id, pointer.to_string(), schema_docs(schema), kind);
            return TypeRef::Named(id);
        }
        match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::String(s)) => match &s.format {
                _ if !s.enumeration.is_empty() => {
                    // Only `null`s: no value to make an enum of.
                    self.warn(
                        &join(pointer, "enum"),
                        "the enum lists no string value; it is a plain string",
                    );
                    TypeRef::String
                }
                oa::VariantOrUnknownOrEmpty::Item(oa::StringFormat::DateTime) => TypeRef::DateTime,
                oa::VariantOrUnknownOrEmpty::Item(oa::StringFormat::Date) => TypeRef::Date,
                oa::VariantOrUnknownOrEmpty::Item(oa::StringFormat::Binary)
                    if self.binary_as_bytes =>
                {
                    TypeRef::Bytes
                }
                _ => TypeRef::String,
            },
            oa::SchemaKind::Type(oa::Type::Boolean(_)) => TypeRef::Bool,
            oa::SchemaKind::Type(oa::Type::Integer(i)) => match &i.format {
                oa::VariantOrUnknownOrEmpty::Item(oa::IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            },
            oa::SchemaKind::Type(oa::Type::Number(n)) => match &n.format {
                oa::VariantOrUnknownOrEmpty::Item(oa::NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            },
            oa::SchemaKind::Type(oa::Type::Array(a)) => {
                let item = match &a.items {
                    Some(items) => {
                        self.type_ref(items, &join(pointer, "items"), &format!("{hint} Item"))
                    }
                    None => TypeRef::Json,
                };
                TypeRef::Vec(Box::new(item))
            }
            oa::SchemaKind::Type(oa::Type::Object(o)) => {
                self.inline_object(schema, o, pointer, hint)
            }
            // `{}` and schemas with only validation keywords: any JSON.
            oa::SchemaKind::Any(any)
                if any.typ.is_none()
                    && any.properties.is_empty()
                    && any.items.is_none()
                    && any.enumeration.is_empty()
                    && any.one_of.is_empty()
                    && any.all_of.is_empty()
                    && any.any_of.is_empty()
                    && any.not.is_none() =>
            {
                TypeRef::Json
            }
            _ => {
                self.warn(
                    pointer,
                    "this schema has no direct Rust type; it is represented as `serde_json::Value`",
                );
                TypeRef::Json
            }
        }
    }

    /// A `type: object` without properties used in place: a map when its
    /// `additionalProperties` has a schema, else any JSON.
    fn inline_object(
        &mut self,
        schema: &'a oa::Schema,
        object: &'a oa::ObjectType,
        pointer: &str,
        hint: &str,
    ) -> TypeRef {
        match &object.additional_properties {
            None | Some(oa::AdditionalProperties::Any(true))
                if schema
                    .schema_data
                    .example
                    .as_ref()
                    .is_some_and(|e| !e.is_object()) =>
            {
                self.warn_help(pointer, "`type: object` has an example that is not an object; the field is represented as `serde_json::Value`, which accepts both", "fix the schema's type (for example `type: string` with a `format`)");
                TypeRef::Json
            }
            Some(oa::AdditionalProperties::Schema(s)) => {
                let value = self.type_ref(
                    s,
                    &join(pointer, "additionalProperties"),
                    &format!("{hint} Value"),
                );
                TypeRef::Map(Box::new(value))
            }
            _ => TypeRef::Json,
        }
    }

    /// `oneOf`/`anyOf` (its list at `pointer`): an untagged enum, one
    /// variant per alternative, tried in order when decoding.
    fn union(
        &mut self,
        alternatives: &'a [oa::ReferenceOr<oa::Schema>],
        pointer: &str,
        name: &str,
    ) -> Union {
        let mut names = Namespace::new();
        let mut variants = Vec::new();
        for (i, alternative) in alternatives.iter().enumerate() {
            let alt_pointer = join(pointer, &i.to_string());
            let ty = self.type_ref(
                alternative,
                &alt_pointer,
                &format!("{name} Variant{}", i + 1),
            );
            let base = match &ty {
                TypeRef::Named(id) => self.name_of(*id),
                TypeRef::String => "String".to_string(),
                TypeRef::Bool => "Bool".to_string(),
                TypeRef::I32 | TypeRef::I64 => "Integer".to_string(),
                TypeRef::F32 | TypeRef::F64 => "Number".to_string(),
                TypeRef::DateTime => "DateTime".to_string(),
                TypeRef::Date => "Date".to_string(),
                TypeRef::Boxed(_) => "Boxed".to_string(),
                TypeRef::Bytes => "Bytes".to_string(),
                TypeRef::Vec(_) => "List".to_string(),
                TypeRef::Map(_) => "Map".to_string(),
                TypeRef::Json => "Value".to_string(),
            };
            variants.push(UnionVariant {
                name: names.claim(&self.cases.type_name(&base)),
                ty,
            });
        }
        Union {
            variants,
            discriminator: None,
        }
    }

    /// The discriminator of a `oneOf`: the property and, per value, the
    /// variant it selects (from `mapping`, else the referenced schema names).
    fn discriminator(
        &mut self,
        schema: &'a oa::Schema,
        alternatives: &'a [oa::ReferenceOr<oa::Schema>],
        union: &Union,
        pointer: &str,
    ) -> Option<Discriminator> {
        let d = schema.schema_data.discriminator.as_ref()?;
        let reference_of = |alt: &oa::ReferenceOr<oa::Schema>| match alt {
            oa::ReferenceOr::Reference { reference } => Some(reference.clone()),
            oa::ReferenceOr::Item(_) => None,
        };
        let mut mapping = Vec::new();
        if d.mapping.is_empty() {
            for (i, alt) in alternatives.iter().enumerate() {
                if let Some(name) = reference_of(alt)
                    .as_deref()
                    .and_then(|r| r.rsplit('/').next())
                {
                    mapping.push((unescape_token(name), i));
                }
            }
        } else {
            for (value, target) in &d.mapping {
                let found = alternatives.iter().position(|alt| {
                    reference_of(alt).is_some_and(|r| {
                        &r == target || r.rsplit('/').next() == Some(target.as_str())
                    })
                });
                match found {
                    Some(i) => mapping.push((value.clone(), i)),
                    None => self.warn(&join(&join(&join(pointer, "discriminator"), "mapping"), value), format!("discriminator value `{value}` maps to `{target}`, which is not one of the alternatives; the value decodes as `Unknown`")),
                }
            }
        }
        if mapping.is_empty() || union.variants.is_empty() {
            self.warn(&join(pointer, "discriminator"), "the discriminator selects no alternative (they are inline schemas); the alternatives are tried in order instead");
            return None;
        }
        Some(Discriminator {
            property: d.property_name.clone(),
            mapping,
        })
    }

    /// The enum of a schema's string `values` (at `pointer`); a value
    /// listed again is left out, with a warning.
    fn string_enum(&mut self, values: Vec<String>, pointer: &str) -> StringEnum {
        let mut names = Namespace::new();
        // `Unknown` holds values the spec does not list.
        names.reserve("Unknown");
        let mut seen = BTreeSet::new();
        let mut variants = Vec::new();
        for (index, wire) in values.into_iter().enumerate() {
            if !seen.insert(wire.clone()) {
                let at = join(&join(pointer, "enum"), &index.to_string());
                self.warn(
                    &at,
                    format!("the enum lists `{wire}` again; the repeat is left out"),
                );
                continue;
            }
            variants.push(EnumVariant {
                name: names.claim(&self.cases.type_name(&wire)),
                wire_name: wire,
            });
        }
        StringEnum { variants }
    }
}

/// The `allOf` parts of a schema, if it has any.
pub(super) fn all_of(schema: &oa::Schema) -> &[oa::ReferenceOr<oa::Schema>] {
    match &schema.schema_kind {
        oa::SchemaKind::AllOf { all_of } => all_of,
        oa::SchemaKind::Any(any) => &any.all_of,
        _ => &[],
    }
}

/// The keyword (`oneOf` or `anyOf`) and alternatives of a union schema.
fn alternatives(schema: &oa::Schema) -> Option<(&'static str, &[oa::ReferenceOr<oa::Schema>])> {
    match &schema.schema_kind {
        oa::SchemaKind::OneOf { one_of } if !one_of.is_empty() => Some(("oneOf", one_of)),
        oa::SchemaKind::AnyOf { any_of } if !any_of.is_empty() => Some(("anyOf", any_of)),
        oa::SchemaKind::Any(any) if !any.one_of.is_empty() => Some(("oneOf", &any.one_of)),
        oa::SchemaKind::Any(any) if !any.any_of.is_empty() => Some(("anyOf", &any.any_of)),
        _ => None,
    }
}

/// `allOf: [X]` with nothing else: the schema is X.
fn single_all_of(schema: &oa::Schema) -> Option<&oa::ReferenceOr<oa::Schema>> {
    let own_properties = ObjectView::own(schema).is_some();
    match all_of(schema) {
        [only] if !own_properties => Some(only),
        _ => None,
    }
}

/// Whether the schema needs a named type of its own.
fn needs_named_type(schema: &oa::Schema) -> bool {
    (ObjectView::own(schema).is_some()
        || all_of(schema).len() > 1
        || (!all_of(schema).is_empty() && single_all_of(schema).is_none()))
        || string_enum_values(schema).is_some()
        || alternatives(schema).is_some()
}

/// The values of a string schema's `enum`, when it lists any (`null`
/// is no value: the field's `Option` holds it).
fn string_enum_values(schema: &oa::Schema) -> Option<Vec<String>> {
    match &schema.schema_kind {
        oa::SchemaKind::Type(oa::Type::String(s)) => {
            let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
            (!values.is_empty()).then_some(values)
        }
        _ => None,
    }
}

/// A schema's title and description as doc text.
pub(super) fn schema_docs(schema: &oa::Schema) -> Option<String> {
    let data = &schema.schema_data;
    match (&data.title, &data.description) {
        (Some(t), Some(d)) if t != d => Some(format!("{t}\n\n{d}")),
        (_, Some(d)) => Some(d.clone()),
        (Some(t), None) => Some(t.clone()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::*;

    #[test]
    fn a_field_that_closes_a_cycle_is_boxed() {
        let spec = with_schemas(
            "    Node:
      type: object
      properties:
        next: {$ref: '#/components/schemas/Node'}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        leaf: {$ref: '#/components/schemas/Leaf'}
    Leaf: {type: object, properties: {value: {type: string}}}
",
        );
        let (api, _) = lowered(&spec);
        let node = type_named(&api, "Node");
        let leaf = type_named(&api, "Leaf");
        let TypeKind::Struct(s) = &node.kind else {
            panic!("not a struct");
        };
        let types: Vec<&TypeRef> = s.fields.iter().map(|f| &f.ty).collect();
        // A `Vec` has a size already; `Leaf` does not lead back to `Node`.
        assert_eq!(
            types,
            [
                &TypeRef::Boxed(Box::new(TypeRef::Named(node.id))),
                &TypeRef::Vec(Box::new(TypeRef::Named(node.id))),
                &TypeRef::Named(leaf.id),
            ]
        );
    }

    #[test]
    fn a_one_of_with_a_discriminator_selects_variants_by_schema_name() {
        let spec = with_schemas(
            "    Cat: {type: object, properties: {kind: {type: string}}}
    Dog: {type: object, properties: {kind: {type: string}}}
    Pet:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}, {type: string}]
      discriminator: {propertyName: kind}
",
        );
        let (api, _) = lowered(&spec);
        let TypeKind::Union(union) = &type_named(&api, "Pet").kind else {
            panic!("not a union");
        };
        let variants: Vec<&str> = union.variants.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(variants, ["Cat", "Dog", "String"]);
        assert_eq!(
            union.discriminator,
            Some(Discriminator {
                property: "kind".into(),
                mapping: vec![("Cat".into(), 0), ("Dog".into(), 1)],
            })
        );
    }

    #[test]
    fn an_enum_value_listed_twice_is_one_variant_with_a_warning() {
        let spec = with_schemas(
            "    Country: {type: string, enum: [CA, CT, US, CT]}
    Nothing: {type: string, enum: [null]}
",
        );
        let (api, warnings) = lowered(&spec);
        let TypeKind::StringEnum(country) = &type_named(&api, "Country").kind else {
            panic!("not a string enum");
        };
        let wires: Vec<&str> = country
            .variants
            .iter()
            .map(|v| v.wire_name.as_str())
            .collect();
        assert_eq!(wires, ["CA", "CT", "US"]);
        assert_eq!(
            type_named(&api, "Nothing").kind,
            TypeKind::Alias(TypeRef::String)
        );
        assert_eq!(
            located(&warnings),
            [
                "#/components/schemas/Country/enum/3: the enum lists `CT` again; the repeat is left out",
                "#/components/schemas/Nothing/enum: the enum lists no string value; it is a plain string",
            ]
        );
    }
}
