//! The one intermediate model between a spec and the generated code.
//!
//! Lowering (`lower`) builds it from openapiv3 types; the emitters and the
//! spec diff only ever see this model. Everything here is already decided:
//! names are unique, valid Rust identifiers, references are resolved to
//! [`TypeId`]s, and collections are ordered, so that emitting the same model
//! twice gives the same bytes.

use std::collections::BTreeMap;

/// A whole API, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub title: String,
    pub description: Option<String>,
    /// `info.version` of the spec.
    pub version: String,
    /// The first server URL, without a trailing slash.
    pub base_url: Option<String>,
    /// Bearer authentication, when the spec declares it.
    pub auth: Option<BearerAuth>,
    /// Headers whose only allowed value is fixed by the spec, sent by the
    /// client on every operation that declares them.
    pub constant_headers: Vec<ConstantHeader>,
    pub types: TypeArena,
    /// Sorted by method name.
    pub operations: Vec<Operation>,
    /// Every whole-value `example` of the spec with the type it must fit,
    /// in spec order.
    pub examples: Vec<Example>,
    /// The requests the API sends to an app (OpenAPI 3.1 `webhooks`), in
    /// spec order.
    pub webhooks: Vec<Webhook>,
}

/// One request the API sends to an app's webhook: an event the app can
/// receive, decoded from its JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// UpperCamelCase variant name, unique among the webhooks.
    pub name: String,
    /// The webhook's name in the spec (its key under `webhooks`).
    pub key: String,
    pub docs: Option<String>,
    /// The type of the request's JSON body.
    pub ty: TypeRef,
    /// JSON pointer of the webhook's operation.
    pub origin: String,
}

/// An `example` from the spec, for round-trip tests of the generated types.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// snake_case name, unique among examples.
    pub name: String,
    pub ty: TypeRef,
    pub value: serde_json::Value,
    /// JSON pointer of the example.
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerAuth {
    /// Name of the security scheme in the spec.
    pub scheme_name: String,
    pub description: Option<String>,
    /// An OAuth2 or OpenID Connect scheme, whose access token is sent as
    /// the bearer token; requirements' scopes mean something for it.
    pub oauth: bool,
}

/// A header with a single allowed value, such as `Version: 2021-04-15`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConstantHeader {
    /// Wire name, e.g. `Version`.
    pub name: String,
    pub value: String,
    /// Name of the Rust constant holding the value, e.g. `VERSION`.
    pub const_name: String,
    pub description: Option<String>,
}

/// Index of a type in the [`TypeArena`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// All named types, keyed by id. Ids are handed out before a type is
/// converted, so recursive schemas can refer to themselves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeArena {
    pub types: BTreeMap<TypeId, TypeDef>,
}

impl TypeArena {
    pub fn get(&self, id: TypeId) -> Option<&TypeDef> {
        self.types.get(&id)
    }

    /// Types in the order they are emitted: by Rust name.
    pub fn sorted(&self) -> Vec<&TypeDef> {
        let mut all: Vec<&TypeDef> = self.types.values().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }
}

/// A named Rust type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub id: TypeId,
    /// Rust name, UpperCamelCase, unique in the crate.
    pub name: String,
    /// JSON pointer of the schema it came from.
    pub origin: String,
    pub docs: Option<String>,
    pub kind: TypeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Struct(Struct),
    /// A string enum. Unknown values are kept, not rejected.
    StringEnum(StringEnum),
    /// At most one of several optional properties may be present
    /// (`not: {required: [a, b]}`): one variant per property, serialized
    /// flat into the parent object.
    Exclusive(Exclusive),
    /// `oneOf`/`anyOf`: one variant per alternative, decoded untagged (the
    /// first alternative that fits wins).
    Union(Union),
    /// A named alias of another type.
    Alias(TypeRef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    pub variants: Vec<UnionVariant>,
    /// With a discriminator, decoding reads the property and picks the
    /// variant; values it does not know are kept in an `Unknown` variant.
    pub discriminator: Option<Discriminator>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discriminator {
    /// The property holding the discriminating value.
    pub property: String,
    /// Value → index into [`Union::variants`].
    pub mapping: Vec<(String, usize)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    pub name: String,
    pub ty: TypeRef,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` beside `properties`: the object's other keys.
    pub additional: Option<AdditionalProperties>,
    /// The name of the struct of required fields its constructor takes,
    /// when there are more than [`MAX_CONSTRUCTOR_ARGS`] of them.
    pub required_type: Option<String>,
}

/// The keys of an object that its `properties` do not name, kept in a map
/// flattened into the struct.
#[derive(Debug, Clone, PartialEq)]
pub struct AdditionalProperties {
    /// snake_case Rust name of the map field, unique in the struct.
    pub name: String,
    /// The type of every value.
    pub ty: TypeRef,
}

/// The most fields a struct's constructor takes positionally: clippy's
/// `too_many_arguments` limit. A struct with more required fields takes
/// them as one struct of named fields.
pub const MAX_CONSTRUCTOR_ARGS: usize = 7;

impl Struct {
    /// The fields its constructor takes, in order.
    pub fn mandatory_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.is_mandatory())
    }

    /// Whether every field may be `None`, so the struct derives `Default`.
    pub fn all_optional(&self) -> bool {
        self.mandatory_fields().next().is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// snake_case Rust name, unique in the struct.
    pub name: String,
    /// Name on the wire.
    pub wire_name: String,
    pub docs: Option<String>,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    /// The field holds an [`Exclusive`] type flattened into this object.
    pub flatten: bool,
    /// For an optional, nullable field of a type that requests send: the
    /// name of its setter that sends `null`. Such a field is a
    /// `Nullable<T>`, which tells a field left out from one sent as `null`;
    /// every other optional field is an `Option<T>`.
    pub null_setter: Option<String>,
}

impl Field {
    /// Whether its Rust type is not an `Option`: required and not nullable.
    /// Such fields are the arguments of the struct's constructor; every
    /// other field has a setter.
    pub fn is_mandatory(&self) -> bool {
        self.required && !self.nullable
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StringEnum {
    pub variants: Vec<EnumVariant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumVariant {
    /// UpperCamelCase Rust name.
    pub name: String,
    pub wire_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Exclusive {
    pub variants: Vec<ExclusiveVariant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExclusiveVariant {
    pub name: String,
    pub wire_name: String,
    pub docs: Option<String>,
    pub ty: TypeRef,
}

/// A reference to a type, as a field or parameter uses it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    String,
    Bool,
    I32,
    I64,
    F32,
    F64,
    /// RFC 3339 date-time; keeps its UTC offset.
    DateTime,
    /// Any JSON value.
    Json,
    Named(TypeId),
    Vec(Box<TypeRef>),
    /// A JSON object with arbitrary keys.
    Map(Box<TypeRef>),
    /// A recursive reference, boxed to give the containing type a size.
    Boxed(Box<TypeRef>),
    /// A calendar date (`format: date`).
    Date,
    /// Raw bytes (`format: binary` in a binary or multipart body).
    Bytes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Patch,
    Head,
    Options,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
        }
    }
}

/// One operation: one method on the generated client.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// snake_case method name, unique on the client.
    pub name: String,
    /// `operationId` as written in the spec, if any.
    pub operation_id: Option<String>,
    pub method: Method,
    /// The path template as written, e.g. `/pets/{petId}`.
    pub path: String,
    pub segments: Vec<PathSegment>,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// Parameters the caller passes, in method-argument order: path
    /// parameters in template order, then required and optional others.
    pub params: Vec<Parameter>,
    /// Indexes into [`Api::constant_headers`].
    pub constant_headers: Vec<usize>,
    pub body: Option<RequestBody>,
    /// What a 2xx answer decodes into.
    pub success: Success,
    /// Declared non-2xx responses with a JSON body.
    pub errors: Vec<ErrorResponse>,
    /// Rust name of this operation's error enum, e.g. `UpdatePetError`.
    pub error_type: String,
    /// Rust name of this operation's request builder in the client's
    /// `builders` module, e.g. `UpdatePet`.
    pub builder: String,
    /// Rust name of the struct of required arguments, when the operation
    /// has more of them than a method takes positionally, e.g.
    /// `UpdatePetArgs`.
    pub required_args: Option<String>,
    pub auth: bool,
    /// How the operation's answers are paged, when the spec says so.
    pub pagination: Option<Pagination>,
    /// JSON pointer of the operation.
    pub origin: String,
}

/// A paginated operation: where its 2xx JSON body holds the page's items,
/// and how the request for the next page is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    pub style: PageStyle,
    /// The fields from the body to the items array; empty when the body is
    /// the array.
    pub items: Vec<FieldStep>,
    /// The type of one item.
    pub item: TypeRef,
}

/// How the next page is asked for. Parameter names are wire names of query
/// parameters of the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStyle {
    /// `param` counts the items to skip; `limit` is the page size.
    Offset {
        param: String,
        limit: Option<String>,
    },
    /// `param` numbers the pages (from 1 unless the caller sets it).
    Page {
        param: String,
        limit: Option<String>,
    },
    /// `param` carries the cursor that the previous page's `next` field
    /// holds.
    Cursor { param: String, next: Vec<FieldStep> },
    /// The previous page's `next` field holds the next page's URL.
    NextUrl { next: Vec<FieldStep> },
}

/// One field access on the way from a body to a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldStep {
    /// The Rust name of the field.
    pub field: String,
    /// Whether the field is an `Option` (or a `Nullable`).
    pub optional: bool,
    /// Whether the field is a `Nullable` (see [`Field::null_setter`]).
    pub nullable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    Literal(String),
    /// Index into [`Operation::params`].
    Param(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

/// How a query array is written (OpenAPI `style` and `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ArrayStyle {
    /// `ids=1&ids=2` (form, explode: true; the default).
    Repeat,
    /// `ids=1,2` (form, explode: false).
    Comma,
    /// `ids=1%202` (spaceDelimited).
    Space,
    /// `ids=1|2` (pipeDelimited).
    Pipe,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// snake_case Rust argument name, unique in the method.
    pub name: String,
    pub wire_name: String,
    pub location: ParamLocation,
    pub docs: Option<String>,
    pub ty: TypeRef,
    pub required: bool,
    /// For query arrays: how the values are joined.
    pub style: ArrayStyle,
    /// The spec's `example` (or first of `examples`), for documentation.
    pub example: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    pub ty: TypeRef,
    pub required: bool,
    pub content_type: String,
    pub kind: BodyKind,
    pub docs: Option<String>,
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BodyKind {
    Json,
    /// `application/x-www-form-urlencoded`, from an object's fields.
    Form,
    /// `multipart/form-data`, one part per field of an object.
    Multipart,
    /// `multipart/form-data` whose parts the spec does not describe as an
    /// object's properties: the app builds the form (the runtime's
    /// `MultipartForm`); `RequestBody::ty` is not used.
    RawMultipart,
    /// Raw bytes (`application/octet-stream` and other binary types).
    Bytes,
    /// `text/plain`.
    Text,
}

/// How a response body is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MediaKind {
    Json,
    Text,
    Bytes,
}

/// A response body: its media kind and type (`String` for text, `Bytes`
/// for binary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub kind: MediaKind,
    pub ty: TypeRef,
}

/// What a successful (2xx) answer decodes into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Success {
    /// No 2xx response has a body.
    Empty,
    /// Every 2xx answer has this body.
    One(Payload),
    /// 2xx statuses with different bodies: an enum with a variant per status.
    ByStatus {
        type_name: String,
        cases: Vec<StatusCase>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCase {
    pub status: u16,
    /// Variant name, e.g. `Ok` or `Created`.
    pub variant: String,
    pub payload: Option<Payload>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorResponse {
    pub status: u16,
    /// Variant name in the operation's error enum, e.g. `BadRequest`.
    pub variant: String,
    pub docs: Option<String>,
    /// The body's type; `None` for a status declared without a body.
    pub ty: Option<TypeRef>,
}
