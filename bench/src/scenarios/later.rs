//! Scenarios whose code under test does not exist yet. They say so and
//! measure nothing: a figure is only ever printed for code that ran.

use crate::report::Report;

pub fn run(name: &str, quick: bool) -> Report {
    let why = match name {
        "search" => {
            "the scenario is not written: it needs a profile holding 1,000,000 messages, and seeding one \
             through the server (about 7,000 sends/s today) and a client sync takes minutes; \
             it wants a bulk import into a client-core store first"
        }
        "coldstart" => {
            "the scenario is not written: it needs a profile holding 1,000,000 messages \
             (see search) and a way to see the terminal UI's first frame"
        }
        _ => "not implemented",
    };
    Report::not_yet(name, quick, why)
}
