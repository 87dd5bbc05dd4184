//! The fixture specs' generated modules compile (this file would not build
//! otherwise) and behave as their specs say.

#[allow(dead_code)]
mod naming {
    include!(concat!(env!("OUT_DIR"), "/naming.rs"));
}

#[allow(dead_code)]
mod parameters {
    include!(concat!(env!("OUT_DIR"), "/parameters.rs"));
}

#[test]
fn keyword_and_colliding_fields_keep_their_wire_names() {
    let json = serde_json::json!({
        "type": "a", "self": "b", "Self": "c", "crate": "d", "fn": "e", "gen": "f",
        "": "g", "2fa": true, "fooBar": 1, "foo_bar": 2, "FooBar": 3
    });
    let keywords: naming::types::Keywords = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(keywords.type_.as_deref(), Some("a"));
    assert_eq!(keywords.self_.as_deref(), Some("b"));
    assert_eq!(keywords.self2.as_deref(), Some("c"));
    assert_eq!(keywords.foo_bar, Some(1));
    assert_eq!(keywords.foo_bar2, Some(2));
    assert_eq!(keywords.foo_bar3, Some(3));
    assert_eq!(serde_json::to_value(&keywords).unwrap(), json);
}

#[test]
fn unknown_enum_values_are_kept() {
    use parameters::types::Status;
    let known: Status = serde_json::from_str("\"on-hold\"").unwrap();
    assert_eq!(known, Status::OnHold);
    let unknown: Status = serde_json::from_str("\"archived\"").unwrap();
    assert_eq!(unknown, Status::Unknown("archived".to_string()));
    assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"archived\"");
}

#[test]
fn exclusive_properties_are_one_field() {
    use parameters::types::{Slot, SlotUserIdOrTeamId};
    let slot: Slot = serde_json::from_value(serde_json::json!({
        "id": "s1", "startsAt": "2024-01-02T03:04:05-08:00", "note": null, "teamId": "t1"
    }))
    .unwrap();
    assert_eq!(
        slot.user_id_or_team_id,
        Some(SlotUserIdOrTeamId::TeamId("t1".to_string()))
    );
    assert_eq!(slot.note, None);
    let back = serde_json::to_value(&slot).unwrap();
    assert_eq!(back["startsAt"], "2024-01-02T03:04:05-08:00");
    assert_eq!(back["note"], serde_json::Value::Null);
    assert!(back.get("userId").is_none());
}
