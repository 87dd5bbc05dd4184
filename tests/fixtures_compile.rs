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

/// HighLevel's whole published Calendars spec, unmodified, two files.
#[allow(dead_code)]
mod calendars {
    include!(concat!(env!("OUT_DIR"), "/calendars.rs"));
}

#[test]
fn vendor_calendars_spec_keeps_all_41_operations() {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/highlevel/apps/calendars.json");
    let (api, warnings, _) =
        apigen::load_model(&spec, "calendars.json").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(api.operations.len(), 41);
    // The two undeclared `{noteId}` template variables, and the date-times
    // typed as objects, are reported, not dropped.
    let undeclared = warnings
        .iter()
        .filter(|w| w.message.contains("`{noteId}` is not declared"))
        .count();
    assert_eq!(undeclared, 2, "{warnings:#?}");
    // Every operation is a method of the compiled client: the paths of
    // `fn` pointers to a few of them, and the count from the module's text.
    let _ = calendars::Client::get_calendars;
    let _ = calendars::Client::update_appointment_note;
    let _ = calendars::Client::edit_block_slot;
    let text = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/calendars.rs")).unwrap();
    let file = syn::parse_file(&text).unwrap();
    let methods = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "client" => m.content.as_ref(),
            _ => None,
        })
        .flat_map(|(_, items)| items)
        .filter_map(|item| match item {
            syn::Item::Impl(i) => Some(i),
            _ => None,
        })
        .flat_map(|i| &i.items)
        .filter(|item| matches!(item, syn::ImplItem::Fn(f) if !f.sig.ident.to_string().ends_with("_with_response")))
        .count();
    assert_eq!(methods, 41);
}

#[test]
fn vendor_object_typed_date_times_decode_as_strings() {
    let event: calendars::types::CalendarEventDto = serde_json::from_value(serde_json::json!({
        "id": "e1", "title": "t", "calendarId": "c", "locationId": "l", "contactId": "k", "groupId": "g",
        "appointmentStatus": "confirmed", "assignedUserId": "u", "users": [],
        "startTime": "2021-06-23T03:30:00+05:30", "endTime": "2021-06-23T04:30:00+05:30",
        "dateAdded": "2021-06-23T03:30:00+05:30", "dateUpdated": "2021-06-23T03:30:00+05:30"
    }))
    .unwrap();
    assert_eq!(
        event.start_time,
        serde_json::json!("2021-06-23T03:30:00+05:30")
    );
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
