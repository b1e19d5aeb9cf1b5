//! A short run of `rp-load` (the load-and-faults generator behind `scripts/load-test`): two
//! kazasu-rp instances on one real Redis, whole card logins and hostile requests, Redis and one
//! instance restarted in the middle. No challenge may be accepted twice, no bad input may get a
//! 5xx, and every session issued must still open the high-assurance page at both instances.

use std::process::Command;

use kazasu_tests::bins::text;

#[test]
fn logins_hold_under_load_restarts_and_hostile_requests() {
    let out = Command::new(env!("CARGO_BIN_EXE_rp-load"))
        .args(["--seconds", "6", "--workers", "2", "--json"])
        .output()
        .expect("run rp-load");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "rp-load's report ({e}): {}{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    assert!(report["logins"].as_u64().unwrap() > 0, "{report}");
    assert!(report["hostile_requests"].as_u64().unwrap() > 0, "{report}");
    assert!(report["replays"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["challenges_accepted_twice"], 0, "{report}");
    assert_eq!(report["server_errors_to_bad_input"], 0, "{report}");
    assert_eq!(report["sessions_lost"], 0, "{report}");
    assert!(report["sessions_checked"].as_u64().unwrap() > 0, "{report}");
    assert!(out.status.success(), "{report}\n{}", text(&out.stderr));
}
