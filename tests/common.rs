//! Test helpers shared by the client test files.

use highlevel_calendars::{
    UpdateBlockSlotRequest, UpdateBlockSlotRequestCalendarIdOrAssignedUserId,
};

/// The spec's request example for `update_block_slot`, as a typed request.
pub fn update_request() -> UpdateBlockSlotRequest {
    UpdateBlockSlotRequest {
        location_id: "C2QujeCh8ZnC7al2InWR".to_string(),
        title: Some("Test Event".to_string()),
        start_time: Some(
            "2021-06-23T03:30:00+05:30"
                .parse()
                .expect("start time parses"),
        ),
        end_time: Some(
            "2021-06-23T04:30:00+05:30"
                .parse()
                .expect("end time parses"),
        ),
        calendar_id_or_assigned_user_id: Some(
            UpdateBlockSlotRequestCalendarIdOrAssignedUserId::CalendarId(
                "CVokAlI8fgw4WYWoCtQz".to_string(),
            ),
        ),
    }
}
