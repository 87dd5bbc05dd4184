//! Test helpers shared by the client test files.

use highlevel_calendars::{
    UpdateBlockSlotRequest, UpdateBlockSlotRequestCalendarIdOrAssignedUserId,
};

/// The spec's request example for `update_block_slot`, as a typed request.
pub fn update_request() -> UpdateBlockSlotRequest {
    UpdateBlockSlotRequest::new("C2QujeCh8ZnC7al2InWR".to_string())
        .with_title("Test Event".to_string())
        .with_start_time(
            "2021-06-23T03:30:00+05:30"
                .parse()
                .expect("start time parses"),
        )
        .with_end_time(
            "2021-06-23T04:30:00+05:30"
                .parse()
                .expect("end time parses"),
        )
        .with_calendar_id_or_assigned_user_id(
            UpdateBlockSlotRequestCalendarIdOrAssignedUserId::CalendarId(
                "CVokAlI8fgw4WYWoCtQz".to_string(),
            ),
        )
}
