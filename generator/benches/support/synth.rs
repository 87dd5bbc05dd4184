//! Synthetic OpenAPI 3.0.3 specs of any size, for the benchmarks.
//!
//! Shared by `examples/synth.rs` (which writes one to a file) and
//! `benches/generation.rs` (which writes the benchmarked sizes at start), so
//! both produce the same bytes for the same size. The output depends only on
//! the number of operations.
//!
//! Every operation `i` (1-based) has its own path, `/v1/resources-{i}/{id}`,
//! its own request schema `Resource{i}Request` and response schema
//! `Resource{i}Response` (strings, integers, numbers, booleans, date-times,
//! an enum and an array), a path parameter, a query parameter whose type
//! cycles through boolean, integer and string, a required `X-Request-Id`
//! header, a request example, and a `400` answer shared through
//! `components/responses`. Methods cycle through PUT, POST and PATCH.

use std::fmt::Write as _;

/// The spec, as YAML text, with `operations` operations.
pub fn spec(operations: usize) -> String {
    let mut out = String::with_capacity(2_000 + operations * 2_600);
    let _ = write!(
        out,
        r##"openapi: 3.0.3
info:
  title: Synthetic API
  description: A generated spec with {operations} operations, for benchmarks.
  version: "1.0.0"
servers:
  - url: https://api.example.com
security:
  - bearer: []
paths:
"##
    );
    for i in 1..=operations {
        operation(&mut out, i);
    }
    out.push_str(
        r##"components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
  responses:
    BadRequest:
      description: Bad Request
      content:
        application/json:
          schema:
            $ref: "#/components/schemas/Error"
  schemas:
    Error:
      type: object
      required: [statusCode, message]
      properties:
        statusCode:
          type: integer
          format: int32
        message:
          type: string
"##,
    );
    for i in 1..=operations {
        schemas(&mut out, i);
    }
    out
}

fn operation(out: &mut String, i: usize) {
    let (method, verb) = match i % 3 {
        0 => ("put", "update"),
        1 => ("post", "create"),
        _ => ("patch", "modify"),
    };
    let query = match i % 3 {
        0 => "name: dryRun\n          in: query\n          description: Validate only.\n          schema:\n            type: boolean",
        1 => "name: limit\n          in: query\n          description: At most this many.\n          schema:\n            type: integer\n            format: int32\n            minimum: 1",
        _ => "name: cursor\n          in: query\n          description: Where to resume.\n          schema:\n            type: string",
    };
    let _ = write!(
        out,
        r##"  /v1/resources-{i}/{{id}}:
    {method}:
      operationId: {verb}-resource-{i}
      summary: {verb} resource {i}
      description: Operation number {i} of the synthetic spec.
      parameters:
        - name: id
          in: path
          required: true
          description: Id of the resource.
          schema:
            type: string
        - {query}
        - name: X-Request-Id
          in: header
          required: true
          description: Correlates the request in the server's logs.
          schema:
            type: string
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: "#/components/schemas/Resource{i}Request"
            example:
              name: resource {i}
              count: {i}
              kind: beta
              startsAt: "2021-06-23T03:30:00+05:30"
      responses:
        "200":
          description: The resource after the change.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Resource{i}Response"
        "400":
          $ref: "#/components/responses/BadRequest"
"##
    );
}

fn schemas(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r##"    Resource{i}Request:
      description: What operation {i} sends.
      type: object
      required: [name, count]
      properties:
        name:
          type: string
          description: Display name.
        count:
          type: integer
          format: int32
        ratio:
          type: number
          format: double
        enabled:
          type: boolean
        startsAt:
          type: string
          format: date-time
        kind:
          type: string
          enum: [alpha, beta, gamma]
        tags:
          type: array
          items:
            type: string
    Resource{i}Response:
      description: What operation {i} answers.
      type: object
      required: [id, name, createdAt]
      properties:
        id:
          type: string
        name:
          type: string
        total:
          type: integer
          format: int64
        score:
          type: number
        active:
          type: boolean
        createdAt:
          type: string
          format: date-time
        labels:
          type: array
          items:
            type: string
"##
    );
}
