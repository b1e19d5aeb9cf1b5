//! The J-LIS root certificates, built into the binary as default trust anchors.
//!
//! A root read from a file next to the program can be swapped by whoever can write there; one
//! compiled in cannot. J-LIS runs two roots (signing, user authentication) and renews each every
//! four years with a ten-year life, so three generations are live or recently expired at once:
//! all are kept, because a document signed under an expired generation still verifies at its
//! signing time. The files are in `core/roots/` (as J-LIS publishes them at jpki.go.jp/ca, via
//! the MIT-licensed `myna-card` 3.3.4 package, `core/roots/LICENSE-myna-card`); their SHA-256
//! fingerprints are pinned in this module's tests.
//!
//! The `O=JPKI-TEST` roots of J-LIS's test cards and the Kazasu simulator's CA are **not** here:
//! a verifier that trusts them by default would accept anyone's test card.

use super::{CardCertificate, CertificateRole};

/// One built-in J-LIS root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinRoot {
    /// A stable name for people and logs, e.g. `jpki-sign-2019`.
    pub name: &'static str,
    /// Which certificates it issues: signing or user-authentication certificates.
    pub role: CertificateRole,
    /// The generation, as the year it was first published: 2015, 2019 or 2023.
    pub generation: u16,
    /// The self-signed certificate, DER.
    pub der: &'static [u8],
}

impl BuiltinRoot {
    /// The root parsed (the built-in bytes always parse: a test checks every one).
    pub fn certificate(&self) -> CardCertificate {
        CardCertificate::from_der(self.der).expect("built-in J-LIS roots are valid certificates")
    }
}

/// Every built-in root: both roles, generations 2015, 2019 and 2023.
const BUILTIN_ROOTS: [BuiltinRoot; 6] = [
    BuiltinRoot {
        name: "jpki-sign-2015",
        role: CertificateRole::Signing,
        generation: 2015,
        der: include_bytes!("../../roots/signca01.cer"),
    },
    BuiltinRoot {
        name: "jpki-sign-2019",
        role: CertificateRole::Signing,
        generation: 2019,
        der: include_bytes!("../../roots/signca02.cer"),
    },
    BuiltinRoot {
        name: "jpki-sign-2023",
        role: CertificateRole::Signing,
        generation: 2023,
        der: include_bytes!("../../roots/signca03.cer"),
    },
    BuiltinRoot {
        name: "jpki-auth-2015",
        role: CertificateRole::Authentication,
        generation: 2015,
        der: include_bytes!("../../roots/authca01.cer"),
    },
    BuiltinRoot {
        name: "jpki-auth-2019",
        role: CertificateRole::Authentication,
        generation: 2019,
        der: include_bytes!("../../roots/authca02.cer"),
    },
    BuiltinRoot {
        name: "jpki-auth-2023",
        role: CertificateRole::Authentication,
        generation: 2023,
        der: include_bytes!("../../roots/authca03.cer"),
    },
];

/// The J-LIS roots Kazasu trusts unless told otherwise (all generations of both roles).
pub fn builtin_roots() -> &'static [BuiltinRoot] {
    &BUILTIN_ROOTS
}

/// The built-in roots issuing certificates of `role` (a document verifier wants the signing
/// roots, a login verifier the authentication roots).
pub fn builtin_roots_for(role: CertificateRole) -> impl Iterator<Item = &'static BuiltinRoot> {
    BUILTIN_ROOTS.iter().filter(move |r| r.role == role)
}

/// The built-in root whose certificate is exactly `der`, if any: verifiers name the anchor
/// and generation a chain ended at.
pub fn builtin_root_of(der: &[u8]) -> Option<&'static BuiltinRoot> {
    BUILTIN_ROOTS.iter().find(|r| r.der == der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_builtin_root_is_found_by_its_bytes_and_nothing_else_is() {
        for root in builtin_roots() {
            assert_eq!(builtin_root_of(root.der).map(|r| r.name), Some(root.name));
        }
        assert!(builtin_root_of(b"not a certificate").is_none());
    }
    use sha2::{Digest, Sha256};

    /// SHA-256 of each file, as `sha256sum core/roots/*.cer` printed when they were added.
    const PINNED: [(&str, &str); 6] = [
        (
            "jpki-sign-2015",
            "19645405a1fe14377434bd55957628ac4038557c542403a2243f21c706fc9355",
        ),
        (
            "jpki-sign-2019",
            "79679c33e4cc9319440f1ad120a597ff1844e2ef217063adb176966fd5e6fbeb",
        ),
        (
            "jpki-sign-2023",
            "d227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f",
        ),
        (
            "jpki-auth-2015",
            "4dcfc4ca0aaf9fb2a3081b3f0c991c320b3acc008667a341eeaec5af1d58ca7d",
        ),
        (
            "jpki-auth-2019",
            "0d98de47fc11b7f67126874b7028b6026a803d2638d6edfe53176953961fade6",
        ),
        (
            "jpki-auth-2023",
            "64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5",
        ),
    ];

    #[test]
    fn the_built_in_roots_are_the_pinned_files() {
        assert_eq!(builtin_roots().len(), PINNED.len());
        for (root, (name, sha256)) in builtin_roots().iter().zip(PINNED) {
            assert_eq!(root.name, name);
            assert_eq!(hex::encode(Sha256::digest(root.der)), sha256, "{name}");
        }
    }

    #[test]
    fn each_root_is_a_self_signed_production_jlis_root_of_its_role_and_generation() {
        for root in builtin_roots() {
            let cert = root.certificate();
            assert!(cert.is_signed_by(&cert), "{} is self-signed", root.name);
            assert_eq!(cert.subject(), cert.issuer());
            let unit = match root.role {
                CertificateRole::Signing => "OU=JPKI for digital signature",
                CertificateRole::Authentication => "OU=JPKI for user authentication",
            };
            let subject = cert.subject();
            assert!(subject.contains(unit), "{}: {subject}", root.name);
            assert!(
                subject.contains("O=JPKI,"),
                "production, not JPKI-TEST: {subject}"
            );
            assert_eq!(
                cert.not_before().year(),
                i32::from(root.generation),
                "{}",
                root.name
            );
            assert_eq!(
                cert.not_after().year(),
                i32::from(root.generation) + 10,
                "{}",
                root.name
            );
            assert_eq!(cert.key_usage(), ["keyCertSign", "cRLSign"]);
            assert_eq!(cert.public_key_bits(), 2048);
        }
        assert_eq!(builtin_roots_for(CertificateRole::Signing).count(), 3);
        assert_eq!(
            builtin_roots_for(CertificateRole::Authentication).count(),
            3
        );
    }
}
