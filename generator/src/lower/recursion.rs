//! Recursive schemas: a struct that contains itself, directly or through
//! other types, would have infinite size. Every field whose type leads
//! back to its own struct without passing through a `Vec` or a map gets a
//! `Box`.
//!
//! "Leads back" is decided with strongly connected components over the
//! graph of inline containment (struct field, enum variant or alias to a
//! named type): an edge inside one component lies on a cycle, so it is
//! boxed. That is linear in the number of types and fields.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{TypeArena, TypeId, TypeKind, TypeRef};

/// The named type a reference contains inline, if any.
fn inline_target(ty: &TypeRef) -> Option<TypeId> {
    match ty {
        TypeRef::Named(id) => Some(*id),
        _ => None,
    }
}

fn edges(kind: &TypeKind) -> Vec<TypeId> {
    match kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .filter_map(|f| inline_target(&f.ty))
            .collect(),
        TypeKind::Exclusive(x) => x
            .variants
            .iter()
            .filter_map(|v| inline_target(&v.ty))
            .collect(),
        TypeKind::Union(u) => u
            .variants
            .iter()
            .filter_map(|v| inline_target(&v.ty))
            .collect(),
        TypeKind::Alias(ty) => inline_target(ty).into_iter().collect(),
        TypeKind::StringEnum(_) => Vec::new(),
    }
}

/// Component index of every type (Kosaraju, iterative).
fn components(arena: &TypeArena) -> BTreeMap<TypeId, usize> {
    let graph: BTreeMap<TypeId, Vec<TypeId>> = arena
        .types
        .iter()
        .map(|(id, def)| {
            (
                *id,
                edges(&def.kind)
                    .into_iter()
                    .filter(|t| arena.types.contains_key(t))
                    .collect(),
            )
        })
        .collect();
    let mut reverse: BTreeMap<TypeId, Vec<TypeId>> =
        graph.keys().map(|id| (*id, Vec::new())).collect();
    for (from, tos) in &graph {
        for to in tos {
            if let Some(list) = reverse.get_mut(to) {
                list.push(*from);
            }
        }
    }
    // First pass: finishing order.
    let mut visited = BTreeSet::new();
    let mut order = Vec::new();
    for &start in graph.keys() {
        if !visited.insert(start) {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.pop() {
            let targets = graph.get(&node).map(Vec::as_slice).unwrap_or_default();
            if let Some(&target) = targets.get(next) {
                stack.push((node, next + 1));
                if visited.insert(target) {
                    stack.push((target, 0));
                }
            } else {
                order.push(node);
            }
        }
    }
    // Second pass on the reverse graph, in reverse finishing order.
    let mut component = BTreeMap::new();
    let mut count = 0;
    for &start in order.iter().rev() {
        if component.contains_key(&start) {
            continue;
        }
        component.insert(start, count);
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for &source in reverse.get(&node).map(Vec::as_slice).unwrap_or_default() {
                if let std::collections::btree_map::Entry::Vacant(slot) = component.entry(source) {
                    slot.insert(count);
                    stack.push(source);
                }
            }
        }
        count += 1;
    }
    component
}

/// Boxes every inline reference that closes a cycle.
pub fn box_cycles(arena: &mut TypeArena) {
    let component = components(arena);
    let same =
        |a: TypeId, b: TypeId| component.contains_key(&a) && component.get(&a) == component.get(&b);
    let boxed = |from: TypeId, ty: &mut TypeRef| {
        if let Some(to) = inline_target(ty) {
            if same(from, to) {
                *ty = TypeRef::Boxed(Box::new(ty.clone()));
            }
        }
    };
    for (id, def) in arena.types.iter_mut() {
        match &mut def.kind {
            TypeKind::Struct(s) => s.fields.iter_mut().for_each(|f| boxed(*id, &mut f.ty)),
            TypeKind::Exclusive(x) => x.variants.iter_mut().for_each(|v| boxed(*id, &mut v.ty)),
            TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| boxed(*id, &mut v.ty)),
            // An alias cannot hold a box: `type A = Box<A>` is still a
            // cycle. Alias cycles are reported by reference resolution.
            TypeKind::Alias(_) | TypeKind::StringEnum(_) => {}
        }
    }
}
