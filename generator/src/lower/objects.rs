//! Object schemas to structs: `properties` (with `allOf` parts merged in)
//! become fields, and `not: {required: [a, b]}` over two optional
//! properties becomes one flattened field whose type allows either.

use openapiv3 as oa;

use super::naming::{self, Namespace};
use super::schemas::{all_of, schema_docs};
use super::{Lowerer, MAX_REF_DEPTH};
use crate::diag::join;
use crate::model::*;

/// The parts of an object schema apigen uses, whether openapiv3 parsed it
/// as `type: object` or, because of keywords such as `not` or `allOf`, as
/// "any". `allOf` parts are merged in, in order.
pub(super) struct ObjectView<'a> {
    properties: indexmap::IndexMap<String, &'a oa::ReferenceOr<Box<oa::Schema>>>,
    required: Vec<String>,
    not: Option<&'a oa::ReferenceOr<oa::Schema>>,
    /// The schema of `additionalProperties`, when it has one.
    additional: Option<&'a oa::ReferenceOr<oa::Schema>>,
}

impl<'a> ObjectView<'a> {
    /// The schema's own object keywords, when it has properties.
    pub(super) fn own(schema: &'a oa::Schema) -> Option<Self> {
        match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Object(o)) if !o.properties.is_empty() => {
                Some(ObjectView {
                    properties: o.properties.iter().map(|(k, v)| (k.clone(), v)).collect(),
                    required: o.required.clone(),
                    not: None,
                    additional: additional_schema(o.additional_properties.as_ref()),
                })
            }
            oa::SchemaKind::Any(any)
                if !any.properties.is_empty()
                    && matches!(any.typ.as_deref(), None | Some("object"))
                    && any.one_of.is_empty()
                    && any.any_of.is_empty() =>
            {
                Some(ObjectView {
                    properties: any.properties.iter().map(|(k, v)| (k.clone(), v)).collect(),
                    required: any.required.clone(),
                    not: any.not.as_deref(),
                    additional: additional_schema(any.additional_properties.as_ref()),
                })
            }
            _ => None,
        }
    }

    fn empty() -> Self {
        ObjectView {
            properties: indexmap::IndexMap::new(),
            required: Vec::new(),
            not: None,
            additional: None,
        }
    }

    /// Adds what `other` has that this view does not; the first
    /// definition of a property wins.
    fn merge(&mut self, other: ObjectView<'a>) {
        for (k, v) in other.properties {
            self.properties.entry(k).or_insert(v);
        }
        for r in other.required {
            if !self.required.contains(&r) {
                self.required.push(r);
            }
        }
        self.not = self.not.or(other.not);
        self.additional = self.additional.or(other.additional);
    }
}

impl<'a> Lowerer<'a> {
    /// The object view of a schema, with `allOf` parts merged.
    pub(super) fn object_view(
        &mut self,
        schema: &'a oa::Schema,
        pointer: &str,
    ) -> Option<ObjectView<'a>> {
        self.merged_view(schema, pointer, 0)
    }

    /// The schema's own object keywords, with its `allOf` parts merged in,
    /// recursively (a cycle of `allOf`s ends at the depth limit).
    fn merged_view(
        &mut self,
        schema: &'a oa::Schema,
        pointer: &str,
        depth: usize,
    ) -> Option<ObjectView<'a>> {
        if depth > MAX_REF_DEPTH {
            self.error(pointer, "`allOf` nests too deeply (a cycle?)");
            return None;
        }
        let parts = all_of(schema);
        if parts.is_empty() {
            return ObjectView::own(schema);
        }
        let mut merged = ObjectView::empty();
        for (i, part) in parts.iter().enumerate() {
            let part_pointer = join(&join(pointer, "allOf"), &i.to_string());
            let Some(resolved) = self.resolve_schema(part, &part_pointer) else {
                continue;
            };
            if std::ptr::eq(resolved, schema) {
                continue;
            }
            match self.merged_view(resolved, &part_pointer, depth + 1) {
                Some(view) => merged.merge(view),
                None => self.warn(
                    &part_pointer,
                    "this `allOf` part is not an object; its constraints are not represented",
                ),
            }
        }
        if let Some(own) = ObjectView::own(schema) {
            merged.merge(own);
        }
        Some(merged)
    }

    /// The struct of an object view named `type_name`: a field per
    /// property, in order, then the exclusive pair's field, if any.
    pub(super) fn object(
        &mut self,
        object: ObjectView<'a>,
        pointer: &str,
        type_name: &str,
    ) -> Struct {
        let mut names = Namespace::new();
        let mut fields = Vec::new();
        let exclusive = self.exclusive_pair(&object, pointer);
        for (wire, prop) in object.properties.iter() {
            if exclusive.as_ref().is_some_and(|pair| pair.contains(wire)) {
                continue;
            }
            let listed_required = object.required.contains(wire);
            fields.push(self.field(wire, prop, listed_required, pointer, type_name, &mut names));
        }
        if let Some(pair) = exclusive {
            fields.push(self.exclusive_field(&object, pair, pointer, type_name, &mut names));
        }
        let additional = object.additional.map(|schema| AdditionalProperties {
            name: names.claim("additional"),
            ty: self.type_ref(
                schema,
                &join(pointer, "additionalProperties"),
                &format!("{type_name} Additional"),
            ),
        });
        let mandatory = fields.iter().filter(|f| f.is_mandatory()).count();
        let required_type = (mandatory > MAX_CONSTRUCTOR_ARGS)
            .then(|| self.type_names.claim(&format!("{type_name}Required")));
        Struct {
            fields,
            additional,
            required_type,
        }
    }

    /// The field of property `wire` of the object at `pointer`, named in
    /// `names`.
    fn field(
        &mut self,
        wire: &str,
        prop: &'a oa::ReferenceOr<Box<oa::Schema>>,
        listed_required: bool,
        pointer: &str,
        type_name: &str,
        names: &mut Namespace,
    ) -> Field {
        let prop_pointer = join(&join(pointer, "properties"), wire);
        let resolved = self.resolve_boxed(prop, &prop_pointer);
        let data = resolved.map(|s| &s.schema_data);
        let read_only = data.is_some_and(|d| d.read_only);
        let write_only = data.is_some_and(|d| d.write_only);
        let docs = field_docs(resolved.and_then(schema_docs), data);
        let ty = self.type_ref(prop, &prop_pointer, &format!("{type_name} {wire}"));
        Field {
            name: names.claim(&self.cases.snake_name(wire)),
            wire_name: wire.to_string(),
            docs,
            ty,
            // A read-only field is never sent and a write-only one never
            // received, so neither can be required in both directions.
            required: listed_required && !read_only && !write_only,
            nullable: data.is_some_and(|d| d.nullable),
            flatten: false,
            // Decided once every type is lowered (`requests`).
            null_setter: None,
        }
    }

    /// The flattened field, named in `names`, and its enum type, of an
    /// exclusive pair.
    fn exclusive_field(
        &mut self,
        object: &ObjectView<'a>,
        [first, second]: [String; 2],
        pointer: &str,
        type_name: &str,
        names: &mut Namespace,
    ) -> Field {
        let enum_name = format!("{type_name} {first} Or {second}");
        let id = self.reserve(&naming::type_name(&enum_name));
        let mut variant_names = Namespace::new();
        let mut variants = Vec::new();
        for wire in [&first, &second] {
            let Some(&prop) = object.properties.get(wire) else {
                continue;
            };
            let prop_pointer = join(&join(pointer, "properties"), wire);
            let docs = self
                .resolve_boxed(prop, &prop_pointer)
                .and_then(schema_docs);
            let ty = self.type_ref(prop, &prop_pointer, &format!("{type_name} {wire}"));
            variants.push(ExclusiveVariant {
                name: variant_names.claim(&self.cases.type_name(wire)),
                wire_name: wire.clone(),
                docs,
                ty,
            });
        }
        self.fill(
            id,
            join(pointer, "not"),
            Some(format!("Either `{first}` or `{second}`, never both.")),
            TypeKind::Exclusive(Exclusive { variants }),
        );
        Field {
            name: names.claim(&naming::snake_name(&format!("{first} or {second}"))),
            wire_name: String::new(),
            docs: Some(format!(
                "`{first}` or `{second}`: the spec allows at most one of them."
            )),
            ty: TypeRef::Named(id),
            required: false,
            nullable: false,
            flatten: true,
            null_setter: None,
        }
    }

    /// `not: {required: [a, b]}` over two optional properties: at most one
    /// of them may be present.
    fn exclusive_pair(&mut self, object: &ObjectView<'a>, pointer: &str) -> Option<[String; 2]> {
        let not = object.not?;
        let not_pointer = join(pointer, "not");
        let not = self.resolve_schema(not, &not_pointer)?;
        let required = match &not.schema_kind {
            oa::SchemaKind::Any(any) if any.properties.is_empty() && any.typ.is_none() => {
                &any.required
            }
            oa::SchemaKind::Type(oa::Type::Object(o)) if o.properties.is_empty() => &o.required,
            _ => {
                self.warn(&not_pointer, "this `not` schema is not enforced by the generated types; only `not: {required: [a, b]}` is");
                return None;
            }
        };
        match required.as_slice() {
            [a, b]
                if a != b
                    && object.properties.contains_key(a)
                    && object.properties.contains_key(b)
                    && !object.required.contains(a)
                    && !object.required.contains(b) =>
            {
                Some([a.clone(), b.clone()])
            }
            _ => {
                self.warn(&not_pointer, "`not: {required: [...]}` is enforced only for two optional properties of the object; this one is documented only");
                None
            }
        }
    }
}

/// The schema of an `additionalProperties` keyword, when it is one
/// (`true` and `false` say nothing about the values).
fn additional_schema(
    additional: Option<&oa::AdditionalProperties>,
) -> Option<&oa::ReferenceOr<oa::Schema>> {
    match additional {
        Some(oa::AdditionalProperties::Schema(schema)) => Some(schema),
        _ => None,
    }
}

/// A property's docs, followed by what its keywords mean for the client:
/// read-only, write-only, a server default.
fn field_docs(docs: Option<String>, data: Option<&oa::SchemaData>) -> Option<String> {
    let mut notes = Vec::new();
    if data.is_some_and(|d| d.read_only) {
        notes.push("Read-only: set by the server; leave it `None` in requests.".to_string());
    }
    if data.is_some_and(|d| d.write_only) {
        notes.push("Write-only: sent by the client, never returned.".to_string());
    }
    if let Some(default) = data.and_then(|d| d.default.as_ref()) {
        notes.push(format!(
            "Default (applied by the server when absent): `{default}`."
        ));
    }
    if notes.is_empty() {
        return docs;
    }
    let mut text = docs.unwrap_or_default();
    for note in notes {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&note);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::*;

    fn fields(api: &Api, name: &str) -> Vec<(String, TypeRef, bool, bool)> {
        let TypeKind::Struct(s) = &type_named(api, name).kind else {
            panic!("`{name}` is not a struct");
        };
        s.fields
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone(), f.required, f.flatten))
            .collect()
    }

    #[test]
    fn all_of_parts_merge_into_one_struct() {
        let spec = with_schemas(
            "    Base:
      type: object
      required: [id]
      properties: {id: {type: integer, format: int32}, name: {type: string}}
    Pet:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          required: [name]
          properties: {name: {type: integer}, tag: {type: string}}
",
        );
        let (api, warnings) = lowered(&spec);
        assert_eq!(located(&warnings), Vec::<String>::new());
        // The first definition of `name` wins; `required` lists add up.
        assert_eq!(
            fields(&api, "Pet"),
            [
                ("id".into(), TypeRef::I32, true, false),
                ("name".into(), TypeRef::String, true, false),
                ("tag".into(), TypeRef::String, false, false),
            ]
        );
    }

    #[test]
    fn not_required_over_two_optional_properties_is_an_exclusive_pair() {
        let spec = with_schemas(
            "    Slot:
      type: object
      properties:
        start: {type: string}
        userId: {type: string, description: The user.}
        teamId: {type: integer}
      not: {required: [userId, teamId]}
",
        );
        let (api, warnings) = lowered(&spec);
        assert_eq!(located(&warnings), Vec::<String>::new());
        let pair = type_named(&api, "SlotUserIdOrTeamId");
        assert_eq!(pair.origin, "#/components/schemas/Slot/not");
        let TypeKind::Exclusive(exclusive) = &pair.kind else {
            panic!("not an exclusive pair");
        };
        let variants: Vec<(&str, &str, &TypeRef, Option<&str>)> = exclusive
            .variants
            .iter()
            .map(|v| {
                (
                    v.name.as_str(),
                    v.wire_name.as_str(),
                    &v.ty,
                    v.docs.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            variants,
            [
                ("UserId", "userId", &TypeRef::String, Some("The user.")),
                ("TeamId", "teamId", &TypeRef::I64, None),
            ]
        );
        assert_eq!(
            fields(&api, "Slot"),
            [
                ("start".into(), TypeRef::String, false, false),
                (
                    "user_id_or_team_id".into(),
                    TypeRef::Named(pair.id),
                    false,
                    true
                ),
            ]
        );
    }

    #[test]
    fn a_not_over_required_properties_is_documented_only() {
        let spec = with_schemas(
            "    Slot:
      type: object
      required: [a]
      properties: {a: {type: string}, b: {type: string}}
      not: {required: [a, b]}
",
        );
        let (api, warnings) = lowered(&spec);
        assert_eq!(
            located(&warnings),
            ["#/components/schemas/Slot/not: `not: {required: [...]}` is enforced only for two optional properties of the object; this one is documented only"]
        );
        assert_eq!(fields(&api, "Slot").len(), 2);
    }
}
