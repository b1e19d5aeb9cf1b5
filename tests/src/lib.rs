//! Shared fixtures for Kazasu's end-to-end tests: simulated cards issued once and copied per test.
//!
//! RSA-2048 key generation dominates the cost of a new card, so one template (test CA and card)
//! is issued per test binary build and cached on disk under the target directory; every test gets
//! its own copy in a temporary directory, so tests never share state.

use std::fs;
use std::path::{Path, PathBuf};

use kazasu_sim::{CardState, SimTransport};
use tempfile::TempDir;

pub mod app_driver;
pub mod bins;
pub mod child;
pub mod ocsp;
pub mod oidc;
pub mod pcscd;
pub mod pdf_fixture;
pub mod pyhanko;
pub mod rp;
pub mod served;
pub mod transcript;
pub mod tsa;

/// The test card's user-authentication PIN.
pub const AUTH_PIN: &str = "4321";
/// The test card's signing PIN.
pub const SIGN_PIN: &str = "TEST2026";
/// The test card's card-info PIN.
pub const CARD_INFO_PIN: &str = "8765";

/// The date the template card is issued on: its certificates run to the holder's 5th birthday after it.
pub fn issue_date() -> time::Date {
    time::macros::date!(2026 - 04 - 01)
}

/// A private copy of the template card (and its test CA) in a temporary directory.
pub struct TestCard {
    dir: TempDir,
    path: PathBuf,
}

impl TestCard {
    /// A fresh copy of the template card: full tries on every PIN, nothing verified.
    pub fn new() -> TestCard {
        TestCard::from_template(&template(Variant::Default))
    }

    /// A fresh card whose blocked PINs answer `status` instead of the default 69 83.
    pub fn with_blocked_status(status: kazasu_sim::BlockedStatus) -> TestCard {
        TestCard::from_template(&template(Variant::Blocked(status)))
    }

    /// An identical twin of this card as it is now (same keys, certificates, PINs and counters),
    /// to run the same commands through two different readers and compare.
    pub fn twin(&self) -> TestCard {
        TestCard::from_template(self.dir())
    }

    fn from_template(template: &Path) -> TestCard {
        let dir = tempfile::tempdir().expect("temporary directory");
        for entry in fs::read_dir(template).expect("template directory") {
            let entry = entry.expect("template entry");
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                fs::copy(entry.path(), dir.path().join(entry.file_name()))
                    .expect("copy template file");
            }
        }
        let path = dir.path().join("card.json");
        TestCard { dir, path }
    }

    /// The card's state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory holding the card and its test CA.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Inserts the card into a new in-process reader (power on, nothing verified).
    pub fn transport(&self) -> SimTransport {
        SimTransport::open(&self.path).expect("open simulated card")
    }

    /// The card's state as stored on disk now.
    pub fn state(&self) -> CardState {
        CardState::load(&self.path).expect("load card state")
    }

    /// Changes how this card answers where real cards differ (token label, re-select, …).
    pub fn configure(self, change: impl FnOnce(&mut kazasu_sim::CardConfig)) -> TestCard {
        let mut state = self.state();
        let mut config = state.config().clone();
        change(&mut config);
        state.set_config(config);
        state.save(&self.path).expect("save card state");
        self
    }

    /// What an access code of this card is (what is printed on it).
    pub fn code(&self, kind: kazasu_core::pin::PinKind) -> String {
        self.state().expected(kind).expect("an access code")
    }
}

impl Default for TestCard {
    fn default() -> Self {
        TestCard::new()
    }
}

#[derive(Clone, Copy)]
enum Variant {
    Default,
    Blocked(kazasu_sim::BlockedStatus),
}

impl Variant {
    fn name(self) -> String {
        match self {
            Variant::Default => "default".to_owned(),
            Variant::Blocked(s) => format!("blocked-{s:?}"),
        }
    }
}

/// Issues the template once per build of the running test binary; concurrent test processes race
/// harmlessly (each builds in a private directory and the first rename wins).
fn template(variant: Variant) -> PathBuf {
    let root = fixture_root().join(variant.name());
    if root.join("card.json").exists() {
        return root;
    }
    let staging = tempfile::tempdir_in(root.parent().expect("fixture root")).expect("staging dir");
    let card = staging.path().join("card.json");
    let mut config = kazasu_sim::CardConfig::default();
    if let Variant::Blocked(status) = variant {
        config.blocked_status = status;
    }
    let opts = kazasu_sim::IssueOptions {
        pins: kazasu_sim::CardPins {
            auth: AUTH_PIN.to_owned(),
            sign: SIGN_PIN.to_owned(),
            card_info: CARD_INFO_PIN.to_owned(),
        },
        config,
        issued_on: Some(issue_date()),
    };
    kazasu_sim::issue_card(&card, &kazasu_sim::HolderProfile::sample(), &opts)
        .expect("issue template card");
    let staged = staging.keep();
    if fs::rename(&staged, &root).is_err() {
        // Another test process finished first: use its template.
        let _ = fs::remove_dir_all(&staged);
    }
    root
}

/// `target/kazasu-fixtures/<test binary>-<its build time>/`: rebuilt whenever the tests are rebuilt.
fn fixture_root() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let stamp = fs::metadata(&exe)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let stem = exe
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // target/<profile>/deps/<exe> → target/kazasu-fixtures
    let target = exe
        .ancestors()
        .nth(3)
        .map(Path::to_owned)
        .unwrap_or_else(std::env::temp_dir);
    let root = target
        .join("kazasu-fixtures")
        .join(format!("{stem}-{stamp}"));
    fs::create_dir_all(&root).expect("fixture directory");
    root
}
